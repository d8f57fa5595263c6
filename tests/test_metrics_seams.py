"""The seam metric on made-up videos with and without a jump where context windows meet, and window plans."""

import json
from pathlib import Path

import numpy as np
import pytest

from vivid_data.windows import context_windows
from vivid_eval.metrics.base import VideoSkipped
from vivid_eval.metrics.seams import SeamRatio, WindowPlanError, plan_for, seam_pairs, window_plans

T, H, W = 48, 32, 40


def moving_pattern() -> np.ndarray:
    """A texture drifting one pixel a frame: the reference's own motion, which the metric must discount."""
    yy, xx = np.mgrid[0:H, 0:W]
    return np.stack([np.stack([(xx * 7 + yy * 3 + 2 * t) % 200 + 20] * 3, axis=-1) for t in range(T)]).astype(np.uint8)


def test_seams_of_the_published_plan():
    windows = context_windows(48, 24, 4, closed_loop=True)  # 0-23, 20-43, 40-47 + 0-15
    assert np.flatnonzero(seam_pairs(windows, 48)).tolist() == [15, 19, 23, 39, 43]
    assert np.flatnonzero(seam_pairs(context_windows(48, 24, 4, closed_loop=False), 48)).tolist() == [19, 23, 43]
    with pytest.raises(ValueError, match="do not cover"):
        seam_pairs([[0, 1, 2]], 5)
    with pytest.raises(ValueError, match="names frame 9"):
        seam_pairs([[0, 9]], 5)


def test_windows_that_do_not_blend_jump_and_blended_ones_do_not():
    rng = np.random.default_rng(0)
    reference = moving_pattern()
    windows = context_windows(T, 24, 4, closed_loop=False)  # windows 0-23, 20-43, 24-47
    noise = rng.normal(0, 2, reference.shape)
    blended = np.clip(reference + noise, 0, 255).astype(np.uint8)
    # each window drawn with its own colour cast, no blending: frames take the last window covering them
    offsets = np.zeros(T)
    for number, window in enumerate(windows):
        offsets[window] = 20 * (number % 2)
    jumping = np.clip(reference + noise + offsets[:, None, None, None], 0, 255).astype(np.uint8)
    metric = SeamRatio()
    metric.update(blended, reference, windows=windows)
    smooth = metric.last["seam_ratio"]
    metric.update(jumping, reference, windows=windows)
    jump = metric.last["seam_ratio"]
    assert 0.8 < smooth < 1.25 and jump > 3
    # the reference against itself: no error anywhere
    metric.update(reference, reference, windows=windows)
    assert metric.last["seam_ratio"] == 1.0 and metric.last["seam_error"] == 0.0


def test_a_video_in_one_window_has_no_seam():
    reference = moving_pattern()[:20]
    with pytest.raises(VideoSkipped, match="no seam"):
        SeamRatio().update(reference, reference, windows=context_windows(20, 24, 4))
    with pytest.raises(ValueError, match="needs windows="):
        SeamRatio().update(reference, reference)


def test_window_plans_from_generation_json_a_file_or_a_uniform_spec(tmp_path: Path):
    assert window_plans(None, tmp_path)[0:2] == (None, None)
    plans, uniform, note = window_plans("auto", tmp_path)
    assert plans is None and "no" in note
    record = {"videos": {"a": {"windows": [[0, 1], [1, 2]]}, "b": {"frames": 3}}}
    (tmp_path / "generation.json").write_text(json.dumps(record))
    plans, uniform, note = window_plans("auto", tmp_path)
    assert plans == {"a": [[0, 1], [1, 2]]} and plan_for("a", 3, plans, uniform) == [[0, 1], [1, 2]]
    assert plan_for("b", 3, plans, uniform) is None
    _, uniform, _ = window_plans("uniform:24:4", tmp_path)
    assert plan_for("x", 48, None, uniform) == context_windows(48, 24, 4, True)
    _, uniform, _ = window_plans("uniform:24:4:open", tmp_path)
    assert plan_for("x", 48, None, uniform) == context_windows(48, 24, 4, False)
    (tmp_path / "plan.json").write_text(json.dumps({"a": [[0, 1, 2]]}))
    assert window_plans(str(tmp_path / "plan.json"), tmp_path)[0] == {"a": [[0, 1, 2]]}
    for bad in ("uniform:24", "uniform:4:4", str(tmp_path / "missing.json")):
        with pytest.raises(WindowPlanError, match=r"windows=|expected"):
            window_plans(bad, tmp_path)
    (tmp_path / "bad.json").write_text(json.dumps({"a": [0, 1]}))
    with pytest.raises(WindowPlanError, match="expected"):
        window_plans(str(tmp_path / "bad.json"), tmp_path)
