from pathlib import Path

import numpy as np

from vivid_data.quality.cuts import content_scores, detect_cuts, segments_between
from vivid_data.video import decode_video


def two_shots(vivid_samples: Path, small_example: Path) -> np.ndarray:
    person = decode_video(vivid_samples / "videos" / "upper1.mp4", size=(128, 96))
    other = decode_video(small_example / "dresses" / "videos" / "9100005_detail.mp4", size=(128, 96))
    return np.concatenate([person[:30], other])


def test_cut_between_two_real_shots(vivid_samples: Path, small_example: Path):
    frames = two_shots(vivid_samples, small_example)
    assert detect_cuts(frames) == [30]
    assert segments_between([30], len(frames)) == [(0, 30), (30, len(frames))]


def test_no_cut_in_a_continuous_real_shot(vivid_samples: Path):
    frames = decode_video(vivid_samples / "videos" / "upper1.mp4", size=(128, 96))
    scores = content_scores(frames)
    assert len(scores) == 47 and scores.max() < 27
    assert detect_cuts(frames) == []


def test_fast_motion_alone_is_not_a_cut():
    rng = np.random.default_rng(0)
    # every frame changes a lot (noise): high scores everywhere, but no single jump above the typical level
    frames = (rng.random((20, 32, 32, 3)) * 255).astype(np.uint8)
    assert detect_cuts(frames) == []


def test_degenerate_inputs():
    assert detect_cuts(np.zeros((1, 8, 8, 3), np.uint8)) == []
    assert segments_between([], 5) == [(0, 5)]
