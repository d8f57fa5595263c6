"""Runs of consecutive frames where a per-frame condition holds (transitions, frontal stretches)."""

from __future__ import annotations

import numpy as np


def runs_where(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of every run of consecutive True values of a 1-D mask."""
    flags = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(flags.astype(np.int8)))
    return [(int(start), int(end)) for start, end in zip(edges[::2], edges[1::2])]
