from pathlib import Path

import numpy as np
import pytest
from mediafaults import arrow_frames, rotated_mp4

from vivid_data.video import (
    MediaError,
    count_decodable_frames,
    decode_upright,
    decode_video,
    encode_video,
    iter_video_chunks,
)


def test_decode_real_sample_all_frames(vivid_samples: Path):
    frames = decode_video(vivid_samples / "videos" / "upper1.mp4")
    assert frames.shape == (48, 832, 624, 3) and frames.dtype == np.uint8
    assert 20 < frames.mean() < 235


def test_bytes_equal_path_for_selected_frames(vivid_samples: Path):
    path = vivid_samples / "videos" / "upper1.mp4"
    from_path = decode_video(path)
    from_bytes = decode_video(path.read_bytes(), indices=[0, 7, 23, -1])
    np.testing.assert_array_equal(from_bytes, from_path[[0, 7, 23, 47]])


def test_selected_frames_match_sequential_decode(vivid_samples: Path):
    path = vivid_samples / "densepose" / "upper1.mp4"
    everything = decode_video(path)
    np.testing.assert_array_equal(decode_video(path, indices=[40, 3, 3]), everything[[40, 3, 3]])


def test_resize_at_decode(vivid_samples: Path):
    frames = decode_video(vivid_samples / "videos" / "upper1.mp4", indices=[0, 1], size=(512, 384))
    assert frames.shape == (2, 512, 384, 3)


def test_out_of_range_indices_name_the_file(vivid_samples: Path):
    path = vivid_samples / "videos" / "upper1.mp4"
    with pytest.raises(IndexError, match=r"upper1.mp4.*48 frames"):
        decode_video(path, indices=[48])


def test_corrupt_middle_is_a_media_error(tmp_path: Path, vivid_samples: Path):
    data = (vivid_samples / "videos" / "upper1.mp4").read_bytes()
    quarter = len(data) // 4
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(data[: 2 * quarter] + bytes(quarter) + data[3 * quarter :])
    with pytest.raises(MediaError) as info:
        decode_video(corrupt)
    assert "corrupt.mp4" in str(info.value)


def test_width_that_trips_decord_still_decodes():
    # decord 0.6 raises a buffer-size error for 48-pixel-wide frames; we fall back to PyAV
    frames = (np.random.default_rng(0).random((3, 64, 48, 3)) * 255).astype(np.uint8)
    decoded = decode_video(encode_video(frames, lossless=True))
    np.testing.assert_array_equal(decoded, frames)


def test_count_decodable_frames(rgb_clip):
    assert count_decodable_frames(encode_video(rgb_clip)) == len(rgb_clip)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotated_phone_video_decodes_upright(degrees: int):
    upright = arrow_frames()
    data = rotated_mp4(upright, degrees)
    frames = decode_upright(data)
    assert frames.shape == upright.shape
    assert np.abs(frames.astype(int) - upright).mean() < 3  # the bright block is at the top left again
    if degrees != 180:  # decord cannot decode these; the PyAV fallback turns them upright too
        assert decode_video(data, indices=[0, 3]).shape == (2, *upright.shape[1:])


def test_chunks_cover_every_frame_in_both_directions(rgb_clip):
    data = encode_video(rgb_clip, lossless=True)
    forward = list(iter_video_chunks(data, chunk=3))
    assert [start for start, _ in forward] == [0, 3, 6] and sum(len(c) for _, c in forward) == len(rgb_clip)
    np.testing.assert_array_equal(np.concatenate([c for _, c in forward]), rgb_clip)
    backward = list(iter_video_chunks(data, chunk=3, reverse=True))
    assert [start for start, _ in backward] == [6, 3, 0]
    part = np.concatenate([c for _, c in iter_video_chunks(data, chunk=2, start=3, stop=6)])
    np.testing.assert_array_equal(part, rgb_clip[3:6])
