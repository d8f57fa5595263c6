"""Figures decode as PNG and carry interval whiskers only where an entry has an interval."""

import cv2
import numpy as np
import pandas as pd
import pytest

from vivid_eval.leaderboard import Entry
from vivid_eval.reports.plots import bar_chart, frame_curves


def _decode(png: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)


def test_bar_chart_and_curves_decode():
    entries = [Entry("ours", "result", "d", "s", "paired", "p", {"ssim": 0.8}, {"ssim": (0.7, 0.85)}),
               Entry("paper", "baseline", "d", "s", "paired", "p", {"ssim": 0.9})]
    image = _decode(bar_chart(entries, "ssim", "d / s"))
    assert image.shape[0] > 100 and image.shape[1] > 200
    frames = pd.DataFrame({"sample_id": ["a"] * 5, "frame": range(5), "ssim": np.linspace(0.9, 0.8, 5)})
    assert _decode(frame_curves({"ours": frames}, "a", "ssim")).shape[1] > 200
    with pytest.raises(ValueError, match="no per-frame lpips"):
        frame_curves({"ours": frames}, "a", "lpips")
    with pytest.raises(ValueError, match="no entry has lpips"):
        bar_chart(entries, "lpips", "t")
