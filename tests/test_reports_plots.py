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
    entries = [
        Entry("ours", "result", "d", "s", "paired", "p", {"ssim": 0.8}, {"ssim": (0.7, 0.85)}),
        Entry("paper", "baseline", "d", "s", "paired", "p", {"ssim": 0.9}),
    ]
    image = _decode(bar_chart(entries, "ssim", "d / s"))
    assert image.shape[0] > 100 and image.shape[1] > 200
    frames = pd.DataFrame({"sample_id": ["a"] * 5, "frame": range(5), "ssim": np.linspace(0.9, 0.8, 5)})
    assert _decode(frame_curves({"ours": frames}, "a", "ssim")).shape[1] > 200
    with pytest.raises(ValueError, match="no per-frame lpips"):
        frame_curves({"ours": frames}, "a", "lpips")
    with pytest.raises(ValueError, match="no entry has lpips"):
        bar_chart(entries, "lpips", "t")


def test_whiskers_only_where_there_is_an_interval_and_the_axis_shows_differences():
    import matplotlib.pyplot as plt
    from matplotlib.container import ErrorbarContainer

    from vivid_eval.reports.plots import bar_axes

    entries = [
        Entry("ours", "result", "d", "s", "paired", "p", {"ssim": 0.80}, {"ssim": (0.78, 0.82)}),
        Entry("paper a", "baseline", "d", "s", "paired", "p", {"ssim": 0.87}),
        Entry("paper b", "baseline", "d", "s", "paired", "p", {"ssim": 0.84}),
    ]
    figure, axis = bar_axes(entries, "ssim", "t")
    errorbars = [c for c in axis.containers if isinstance(c, ErrorbarContainer)]
    assert len(errorbars) == 1 and len(errorbars[0].lines[2][0].get_segments()) == 1  # one whisker, for "ours"
    low, high = axis.get_ylim()
    assert 0.6 < low < 0.78 and 0.87 < high < 1.0  # not from 0: 0.80 against 0.87 is visible
    plt.close(figure)
    figure, axis = bar_axes([Entry("x", "baseline", "d", "s", "paired", "p", {"vfid_i3d": 12.0})], "vfid_i3d", "t")
    assert not [c for c in axis.containers if isinstance(c, ErrorbarContainer)] and axis.get_ylim()[0] == 0
    plt.close(figure)


def test_a_result_not_ranked_is_marked_in_the_figure_as_in_the_table():
    """A not-comparable 0.947 beside CatV2TON's 0.873: hatched, faded and labelled, like its table row."""
    import matplotlib.pyplot as plt

    from vivid_eval.reports.plots import bar_axes

    cut = Entry("truncated run", "result", "d", "s", "paired", "p", {"ssim": 0.947}, comparable=False)
    full = Entry("full run", "result", "d", "s", "paired", "p", {"ssim": 0.85}, comparable=True)
    paper = Entry("CatV2TON", "baseline", "d", "s", "paired", "p", {"ssim": 0.873})
    figure, axis = bar_axes([cut, full, paper], "ssim", "t")
    labels = [t.get_text() for t in axis.get_xticklabels()]
    assert labels == ["truncated run (not ranked)", "full run", "CatV2TON"]
    hatches = [bar.get_hatch() for bar in axis.patches]
    assert hatches[0] == "///" and hatches[1] is None and hatches[2] is None
    plt.close(figure)
