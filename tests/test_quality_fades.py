"""Fades from or to a flat colour: made-up fades of each kind, clips without one, and the real fade-in."""

from pathlib import Path

import numpy as np
import pytest

from vivid_data.quality.fades import contrast_ratios, fade_frames
from vivid_data.video import decode_video


def textured(frames: int = 40) -> np.ndarray:
    rng = np.random.default_rng(0)
    base = rng.integers(30, 220, (1, 48, 32, 3)).astype(np.float32)
    drift = np.arange(frames, dtype=np.float32)[:, None, None, None]
    return np.clip(base + drift * 0.5, 0, 255)


@pytest.mark.parametrize("flat", [255.0, 0.0])
def test_fades_in_and_out_through_a_flat_colour(flat: float):
    shot = textured()
    alpha = np.zeros(len(shot), np.float32)
    alpha[:10] = np.linspace(1, 0.1, 10)  # a 10-frame fade-in, ending just short of the shot
    alpha[-6:] = np.linspace(0.1, 1, 6)  # a 6-frame fade-out
    frames = (alpha[:, None, None, None] * flat + (1 - alpha[:, None, None, None]) * shot).astype(np.uint8)
    assert fade_frames(frames) == (10, 6)
    assert fade_frames(frames[10:]) == (0, 6) and fade_frames(frames[:-6]) == (10, 0)


def test_no_fade_in_a_steady_clip_a_dim_clip_or_a_contrast_that_falls_back():
    shot = textured().astype(np.uint8)
    assert fade_frames(shot) == (0, 0)
    assert fade_frames((shot * 0.1).astype(np.uint8)) == (0, 0)  # dim all through: nothing to trim
    dip = textured()
    dip[:8] = 128 + (dip[:8] - 128) * np.array([0.1, 0.3, 0.5, 0.2, 0.6, 0.8, 0.9, 0.9])[:, None, None, None]
    assert fade_frames(dip.astype(np.uint8))[0] == 0  # rises, falls back, rises: not a fade
    assert contrast_ratios(shot).shape == (len(shot),)


def test_the_real_fade_in_from_white(vivid_dataset_clips: Path, vivid_samples: Path):
    clip = decode_video(vivid_dataset_clips / "lower_body" / "videos" / "1221158_detail.mp4", size=(128, 96))
    assert fade_frames(clip) == (12, 0)  # contrast 0.13 of the shot's at frame 0, settled at frame 12
    for name in ("videos", "agnostic", "densepose"):  # the other real footage has no fade
        assert fade_frames(decode_video(vivid_samples / name / "upper1.mp4", size=(128, 96))) == (0, 0)
