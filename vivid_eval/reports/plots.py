"""The report's figures, drawn with matplotlib (Agg) into PNG bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from vivid_eval.leaderboard import LABELS, NOT_RANKED, Entry
from vivid_eval.metrics.registry import direction

RESULT_COLOUR, BASELINE_COLOUR = "#1f77b4", "#9a9a9a"


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def bar_chart(entries: list[Entry], metric: str, title: str) -> bytes:
    """One bar per entry with a value, 95% interval whiskers where the entry has one; results in colour."""
    figure, _ = bar_axes(entries, metric, title)
    return _png(figure)


def bar_axes(entries: list[Entry], metric: str, title: str):
    """The bar chart's figure and axis (drawn, not yet encoded)."""
    shown = [e for e in entries if metric in e.values and np.isfinite(e.values[metric])]
    if not shown:
        raise ValueError(f"no entry has {metric}")
    values = np.array([e.values[metric] for e in shown])
    figure, axis = plt.subplots(figsize=(max(4.0, 0.55 * len(shown) + 2), 3.2))
    colours = [RESULT_COLOUR if e.kind == "result" else BASELINE_COLOUR for e in shown]
    positions = np.arange(len(shown))
    bars = axis.bar(positions, values, color=colours)
    for bar, entry in zip(bars, shown):  # what the tables mark not ranked, the figure marks too
        if entry.comparable is False:
            bar.set_hatch("///")
            bar.set_alpha(0.45)
    with_interval = [i for i, e in enumerate(shown) if metric in e.intervals]  # whiskers only where there is one
    if with_interval:
        lows = np.array([values[i] - shown[i].intervals[metric][0] for i in with_interval])
        highs = np.array([shown[i].intervals[metric][1] - values[i] for i in with_interval])
        axis.errorbar(
            positions[with_interval],
            values[with_interval],
            yerr=np.vstack([lows, highs]),
            fmt="none",
            ecolor="black",
            capsize=4,
        )
    _zoom(axis, shown, metric, values)
    names = [e.name + (f" ({NOT_RANKED})" if e.comparable is False else "") for e in shown]
    axis.set_xticks(positions, names, rotation=35, ha="right", fontsize=8)
    better = "higher is better" if direction(metric) == "higher" else "lower is better"
    axis.set_title(f"{LABELS[metric]} ({better})\n{title}", fontsize=9)
    axis.grid(axis="y", alpha=0.3)
    return figure, axis


def _zoom(axis, entries: list[Entry], metric: str, values: np.ndarray) -> None:
    """Bounded scores (SSIM, LPIPS) close together: start the axis near the data, not at 0, so that
    0.80 against 0.87 shows; the axis label says where it starts."""
    if metric not in ("ssim", "lpips"):
        return
    ends = [values.min(), values.max()] + [v for e in entries if metric in e.intervals for v in e.intervals[metric]]
    low, high = min(ends), max(ends)
    margin = max(0.02, 0.25 * (high - low))
    bottom = max(0.0, low - margin)
    axis.set_ylim(bottom, high + margin)
    if bottom > 0:
        axis.set_ylabel(f"axis from {bottom:.2f}", fontsize=7)


def frame_curves(per_frame: dict[str, pd.DataFrame], sample_id: str, metric: str) -> bytes:
    """Per-frame values of one video for each result that scored it."""
    figure, axis = plt.subplots(figsize=(6, 2.6))
    drawn = 0
    for name, frames in per_frame.items():
        rows = frames[frames["sample_id"] == sample_id]
        if metric in rows and rows[metric].notna().any():
            axis.plot(rows["frame"], rows[metric], label=name, linewidth=1.2)
            drawn += 1
    if not drawn:
        plt.close(figure)
        raise ValueError(f"no per-frame {metric} for {sample_id}")
    axis.set_xlabel("frame")
    axis.set_ylabel(LABELS[metric])
    axis.set_title(f"{sample_id}: per-frame {LABELS[metric]}", fontsize=9)
    axis.legend(fontsize=7)
    axis.grid(alpha=0.3)
    return _png(figure)
