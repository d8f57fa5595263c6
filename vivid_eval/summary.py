"""Means with bootstrap confidence intervals, for the summary of an evaluation."""

from __future__ import annotations

import numpy as np


def bootstrap_ci(values, confidence: float = 0.95, resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high): percentile bootstrap over videos."""
    data = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)
    if data.size == 0:
        return float("nan"), float("nan"), float("nan")
    if data.size == 1:  # no interval from one video; the caller reports the mean alone
        return float(data[0]), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1 - confidence) / 2
    return float(data.mean()), float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))
