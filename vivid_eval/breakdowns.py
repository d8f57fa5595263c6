"""Per-video metrics broken down by garment category and by the view the person is seen from.

A mean over a whole test set hides where a method fails: reviewers ask for back views, side views
and each category on its own. Every per-video column is summarised per group with the same
bootstrap interval as the whole set. The view of a video is its dominant orientation over the
scored frames (the pose stage's per-frame labels in ``keypoints.npz``: frontal, side, back); the
frontal, side and back shares themselves are in ``per_video.csv``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from vivid_eval.summary import bootstrap_ci

VIEWS = ("frontal", "side", "back")  # vivid_data.pose.orientation codes 1, 2, 3 (0: unknown)


def view_shares(codes: np.ndarray) -> dict[str, Any]:
    """Shares of frontal / side / back among the frames with a label, and the dominant view."""
    codes = np.asarray(codes)
    known = codes[(codes >= 1) & (codes <= 3)]
    if known.size == 0:
        return {"view": "unknown", "frontal_share": None, "side_share": None, "back_share": None}
    shares = {view: float(np.mean(known == code)) for code, view in enumerate(VIEWS, start=1)}
    return {"view": max(VIEWS, key=lambda v: shares[v]), **{f"{v}_share": shares[v] for v in VIEWS}}


def breakdown(rows: list[dict[str, Any]], by: str, columns: list[str], seed: int = 0) -> dict[str, Any]:
    """{group: {column: {mean, ci95, videos}}} for the rows that carry ``by``; groups in sorted order."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        value = row.get(by)
        if value not in (None, "", "unknown"):
            groups[str(value)].append(row)
    out: dict[str, Any] = {}
    for group in sorted(groups):
        stats = {}
        for column in columns:
            values = [r[column] for r in groups[group] if r.get(column) is not None and np.isfinite(r[column])]
            if values:
                mean, low, high = bootstrap_ci(values, seed=seed)
                stats[column] = {"mean": mean, "ci95": [low, high] if len(values) >= 2 else None, "videos": len(values)}
        out[group] = stats
    return out


def breakdowns(rows: list[dict[str, Any]], columns: list[str], seed: int = 0) -> dict[str, Any]:
    """Per category and per view; a grouping none of the rows carries is left out."""
    out = {by: breakdown(rows, by, columns, seed) for by in ("category", "view")}
    return {by: groups for by, groups in out.items() if groups}
