"""Cell text shared by the Markdown and HTML reports."""

from __future__ import annotations

import math

from vivid_eval.leaderboard import LABELS, Comparison, Entry, Section
from vivid_eval.summary import DIRECTIONS


def number(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:.4f}" if abs(value) < 100 else f"{value:.2f}"


def metric_header(metric: str) -> str:
    return f"{LABELS[metric]} {'↑' if DIRECTIONS[metric] == 'higher' else '↓'}"


def cell(section: Section, entry: Entry, metric: str) -> tuple[str, bool]:
    """('value [low, high] (rank)', is best in its variant)."""
    if metric not in entry.values:
        return "-", False
    text = number(entry.values[metric])
    if metric in entry.intervals:
        low, high = entry.intervals[metric]
        text += f" [{number(low)}, {number(high)}]"
    rank = section.ranks.get(metric, {}).get(entry.name)
    if rank:
        text += f" ({rank})"
    return text, bool(rank) and rank.startswith("1/") and not rank.endswith("/1")


def comparison_row(comparison: Comparison) -> list[str]:
    test = comparison.test
    verdict = "yes" if test.significant else "no"
    if test.videos < FEW_VIDEOS:
        verdict += f" (only {test.videos} videos: the bootstrap understates uncertainty)"
    return [comparison.first, comparison.second, LABELS[comparison.metric], str(test.videos),
            f"{test.mean_difference:+.4g}", f"[{test.low:+.4g}, {test.high:+.4g}]", f"{test.p_value:.4f}", verdict]


FEW_VIDEOS = 10
COMPARISON_HEADER = ["A", "B", "metric", "videos", "mean A - B", "95% CI", "p", "significant"]


def entry_label(entry: Entry) -> str:
    return entry.name + (f" (LPIPS-{entry.lpips_net})" if entry.lpips_net and entry.kind == "result" else "")
