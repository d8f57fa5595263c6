from pathlib import Path

import numpy as np
import pytest
from conftest import psnr

from vivid_data.video import decode_video, encode_mask_video, encode_video, probe_video

RGB_PSNR_DB = 40.0  # crf 18 on the real sample measures about 46.6 dB


def test_rgb_round_trip_psnr_on_real_video(vivid_samples: Path, tmp_path: Path):
    frames = decode_video(vivid_samples / "videos" / "upper1.mp4")
    written = encode_video(frames, tmp_path / "out.mp4", fps=24)
    assert written == tmp_path / "out.mp4" and list(tmp_path.iterdir()) == [written]
    info = probe_video(written)
    assert (info.num_frames, info.width, info.height, info.pix_fmt) == (48, 624, 832, "yuv420p")
    assert psnr(decode_video(written), frames) > RGB_PSNR_DB


def test_quality_setting_changes_size_and_fidelity(rgb_clip):
    fine, coarse = encode_video(rgb_clip, crf=10), encode_video(rgb_clip, crf=40)
    assert len(coarse) < len(fine)
    assert psnr(decode_video(fine), rgb_clip) > psnr(decode_video(coarse), rgb_clip)


def test_lossless_rgb_is_exact(rgb_clip):
    np.testing.assert_array_equal(decode_video(encode_video(rgb_clip, lossless=True)), rgb_clip)


@pytest.mark.parametrize("shape", [(10, 64, 80), (6, 832, 624), (5, 101, 67)])
def test_binary_mask_survives_bit_exactly(shape):
    rng = np.random.default_rng(sum(shape))
    # random blobs plus salt noise: hard cases for a lossy codec
    masks = rng.random(shape) > 0.5
    masks[:, : shape[1] // 3] = False
    decoded = decode_video(encode_mask_video(masks, fps=24))
    assert decoded.shape == (*shape, 3)
    np.testing.assert_array_equal(decoded[..., 0] > 127, masks)
    np.testing.assert_array_equal(decoded[..., 0], decoded[..., 2])


def test_mask_accepts_uint8_and_writes_atomically(tmp_path: Path):
    masks = np.zeros((4, 32, 32), np.uint8)
    masks[:, 8:20, 4:30] = 255
    path = encode_mask_video(masks, tmp_path / "mask.mp4")
    np.testing.assert_array_equal(decode_video(path)[..., 0] > 127, masks > 127)


def test_bad_input_is_refused(tmp_path: Path, rgb_clip):
    with pytest.raises(ValueError, match="uint8"):
        encode_video(rgb_clip.astype(np.float32))
    with pytest.raises(ValueError, match="even"):
        encode_video(rgb_clip[:, :63])
    with pytest.raises(ValueError, match="no frames"):
        encode_video(np.zeros((0, 8, 8, 3), np.uint8), tmp_path / "none.mp4")
    assert not (tmp_path / "none.mp4").exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="fps"):
        encode_video(rgb_clip, fps=0)


def test_reproducible_encodes_give_identical_bytes(rgb_clip):
    # short clips were where multi-threaded, mbtree x264 produced different bytes run to run
    outputs = {encode_video(rgb_clip[:3], reproducible=True) for _ in range(20)}
    assert len(outputs) == 1
