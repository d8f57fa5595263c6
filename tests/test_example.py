from pathlib import Path

import numpy as np
import pytest
from conftest import SMALL_SPEC

from vivid_data.example import ExampleSpec, generate_example
from vivid_data.video import decode_video, probe_video, read_image, read_mask


def test_every_modality_is_real_and_aligned(small_example: Path):
    folder = small_example / "upper_body"
    name = "9100001_detail.mp4"
    info = probe_video(folder / "videos" / name)
    assert (info.num_frames, info.width, info.height) == (SMALL_SPEC.num_frames, SMALL_SPEC.width, SMALL_SPEC.height)
    video = decode_video(folder / "videos" / name)
    agnostic = decode_video(folder / "agnostic" / name)
    mask = decode_video(folder / "agnostic_mask" / name)[..., 0] > 127
    dense = decode_video(folder / "densepose" / name)
    assert video.shape == agnostic.shape == dense.shape
    assert 0.05 < mask.mean() < 0.5
    # the agnostic video is grey inside the mask and the video outside it
    assert np.abs(agnostic[mask].astype(int) - 128).mean() < 6
    assert np.abs(agnostic[~mask].astype(int) - video[~mask].astype(int)).mean() < 4
    # densepose is black on the background
    assert (dense.max(-1) < 20).mean() > 0.4
    garment = read_image(folder / "images" / "9100001_in_xl.jpg")
    garment_mask = read_mask(folder / "cloth_mask" / "9100001_in_xl.jpg")
    assert garment.shape[:2] == garment_mask.shape
    assert garment[~garment_mask].mean() > 240 and 0.1 < garment_mask.mean() < 0.8


def test_the_person_moves(small_example: Path):
    video = decode_video(small_example / "dresses" / "videos" / "9100005_detail.mp4").astype(float)
    assert np.abs(np.diff(video, axis=0)).mean() > 1.0


def test_same_seed_same_pixels_and_reuse(tmp_path: Path):
    spec = ExampleSpec(per_category=1, num_frames=3, height=64, width=64, seed=7)
    a = generate_example(tmp_path / "a", spec)
    b = generate_example(tmp_path / "b", spec)
    name = "upper_body/videos/9100001_detail.mp4"
    np.testing.assert_array_equal(decode_video(a / name), decode_video(b / name))
    mtime = (a / name).stat().st_mtime_ns
    assert generate_example(a, spec) == a and (a / name).stat().st_mtime_ns == mtime
    with pytest.raises(FileExistsError):
        generate_example(a, ExampleSpec(per_category=1, num_frames=4, height=64, width=64))
