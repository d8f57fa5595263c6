"""Context windows cover every frame (the published closed loop, or ending on the last frame) and blend overlaps."""

import pytest
import torch

from vivid_model.context import blend_windows, context_windows


def test_published_windows_wrap_around():
    windows = context_windows(48, 24, 4)
    assert [w[0] for w in windows] == [0, 20, 40]
    assert windows[2] == list(range(40, 48)) + list(range(16))
    assert context_windows(20, 24, 4) == [list(range(20))]


@pytest.mark.parametrize("frames", [25, 48, 61, 100])
def test_every_frame_is_covered(frames: int):
    for closed in (True, False):
        windows = context_windows(frames, 24, 4, closed_loop=closed)
        assert set().union(*map(set, windows)) == set(range(frames)) and all(len(w) == 24 for w in windows)
    assert context_windows(frames, 24, 4, closed_loop=False)[-1][-1] == frames - 1


def test_blending_averages_overlaps():
    windows = context_windows(10, 4, 2, closed_loop=False)  # starts 0, 2, 4, 6
    blended = blend_windows(lambda w: torch.full((1, 1, len(w)), float(w[0])), 10, windows)
    assert blended.flatten().tolist() == [0, 0, 1, 1, 3, 3, 5, 5, 6, 6]
    with pytest.raises(ValueError, match="do not cover"):
        blend_windows(lambda w: torch.zeros(1, 1, len(w)), 10, [[0, 1]])
    with pytest.raises(ValueError):
        context_windows(10, 4, 4)


def test_without_guidance_the_published_pipeline_sums_overlaps():
    """pipeline_pose2vid_long divides by the window count only under guidance: frames in two windows get 2x."""
    windows = context_windows(48, 24, 4)  # frames 0-3 and 40-47 wrap: covered twice ... and 20-23
    ones = blend_windows(lambda w: torch.ones((1, 1, len(w))), 48, windows, average=False).flatten()
    covered_twice = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 40, 41, 42, 43}
    assert ones.tolist() == [2.0 if f in covered_twice else 1.0 for f in range(48)]
    assert blend_windows(lambda w: torch.ones((1, 1, len(w))), 48, windows).eq(1).all()
