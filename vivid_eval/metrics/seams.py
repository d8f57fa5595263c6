"""Seams: does a long video jump where its context windows meet?

A video longer than the motion modules' window is generated window by window
(:func:`vivid_data.windows.context_windows`); a method whose windows do not blend shows a jump at
their boundaries. Per consecutive frame pair, the temporal difference error
``e_t = mean |(P[t+1] - P[t]) - (R[t+1] - R[t])|`` (grey levels, over pixels and RGB) measures how much
the prediction's change from frame to frame departs from the reference's own motion. A pair is a
*seam* when the set of windows covering frame t differs from frame t + 1's (a window starts or ends
between them). ``seam_ratio`` is the mean ``e`` over seams divided by the mean over the other pairs:
about 1 when the boundaries are invisible, above 1 when they jump. ``seam_error`` and
``within_error`` are the two means.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from vivid_data.windows import context_windows
from vivid_eval.metrics.base import VideoMetric, VideoSkipped

Windows = list[list[int]]


def seam_pairs(windows: Windows, num_frames: int) -> np.ndarray:
    """(num_frames - 1,) bool: True where the windows covering frame t differ from those covering t + 1."""
    coverage: list[set[int]] = [set() for _ in range(num_frames)]
    for number, window in enumerate(windows):
        for frame in window:
            if not 0 <= int(frame) < num_frames:
                raise ValueError(f"window {number} names frame {frame}; the video has {num_frames} frames")
            coverage[int(frame)].add(number)
    uncovered = [t for t, c in enumerate(coverage) if not c]
    if uncovered:
        raise ValueError(f"the windows do not cover frame(s) {uncovered[:5]} of {num_frames}")
    return np.array([coverage[t] != coverage[t + 1] for t in range(num_frames - 1)], dtype=bool)


def difference_errors(prediction: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``e_t`` per consecutive pair, in grey levels (0-255), of (T, H, W, 3) frames (uint8 or [0, 1])."""
    scale = 1.0 if prediction.dtype == np.uint8 else 255.0
    p = prediction.astype(np.float32) * np.float32(scale)
    r = reference.astype(np.float32) * np.float32(scale)
    return np.array([np.abs((p[t + 1] - p[t]) - (r[t + 1] - r[t])).mean(dtype=np.float64) for t in range(len(p) - 1)])


class SeamRatio(VideoMetric):
    """Temporal difference error across context-window boundaries over that within windows, per video."""

    name = "seams"
    label = "seam ratio"
    higher_is_better = False
    columns = ("seam_ratio", "seam_error", "within_error")
    needs = ("windows",)

    def score(self, prediction, reference, windows: Windows | None = None):
        assert windows is not None
        try:
            seams = seam_pairs(windows, len(prediction))
        except ValueError as exc:
            raise VideoSkipped(f"window plan: {exc}") from exc
        if not seams.any():
            raise VideoSkipped("one context window covers the whole video: it has no seam")
        if seams.all():
            raise VideoSkipped("every frame pair is a seam: nothing within windows to compare with")
        errors = difference_errors(prediction, reference)
        seam, within = float(errors[seams].mean()), float(errors[~seams].mean())
        ratio = seam / within if within > 0 else (1.0 if seam == 0 else float("inf"))
        return {"seam_ratio": ratio, "seam_error": seam, "within_error": within}, {}


class WindowPlanError(ValueError):
    """A window plan that cannot be read; the message names it."""


def window_plans(spec: str | None, predictions: str | Path) -> tuple[dict[str, Windows] | None, Any, str]:
    """The context windows of each prediction, from ``spec``:

    * ``auto``: ``generation.json`` beside the predictions (``vivid-generate`` records each video's
      windows); none there means no seam metric, said in the summary;
    * ``uniform:SIZE:OVERLAP`` (``:open`` for windows that end on the last frame instead of wrapping):
      the same plan for every video, made for its length;
    * a JSON file ``{"<sample id>": [[frame, ...], ...]}``.

    Returns (per-video plans or None, the uniform plan or None, a description for ``summary.json``).
    """
    if spec in (None, "", "none"):
        return None, None, "none"
    if spec == "auto":
        record = Path(predictions) / "generation.json"
        if not record.is_file():
            return None, None, f"auto: no {record}"
        videos = json.loads(record.read_text()).get("videos", {})
        plans = {key: value["windows"] for key, value in videos.items() if value.get("windows")}
        return (plans or None), None, f"auto: {record} ({len(plans)} video(s) with windows)"
    if spec.startswith("uniform:"):
        parts = spec.split(":")
        try:
            size, overlap = int(parts[1]), int(parts[2])
            closed = not (len(parts) > 3 and parts[3] == "open")
            context_windows(size + 1, size, overlap, closed)  # checks the numbers
        except (IndexError, ValueError) as exc:
            raise WindowPlanError(f"windows={spec}: expected uniform:SIZE:OVERLAP[:open] ({exc})") from exc
        return None, (size, overlap, closed), spec
    path = Path(spec)
    try:
        plans = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise WindowPlanError(f"windows={spec}: not a readable JSON window plan ({exc})") from exc
    if not isinstance(plans, dict) or not all(
        isinstance(w, list) and all(isinstance(x, list) for x in w) for w in plans.values()
    ):
        raise WindowPlanError(f"{spec}: expected {{sample id: [[frame, ...], ...]}}")
    return plans, None, f"file: {path}"


def plan_for(key: str, frames: int, plans: dict[str, Windows] | None, uniform: Any) -> Windows | None:
    """One video's windows from :func:`window_plans`' result, or None when the plan has none for it."""
    if uniform is not None:
        size, overlap, closed = uniform
        return context_windows(frames, size, overlap, closed)
    return None if plans is None else plans.get(key)
