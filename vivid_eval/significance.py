"""Paired bootstrap tests of a metric difference between two runs scored on the same videos.

Videos are resampled with replacement and the mean per-video difference recomputed; the 95%
interval is the percentile interval of those means and the two-sided p-value is twice the
smaller tail mass at zero (with the +1 correction, so it is never exactly 0). A difference is
called significant when its interval excludes zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairedTest:
    videos: int
    mean_difference: float  # mean of (a - b) over the shared videos
    low: float
    high: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def paired_bootstrap(a, b, resamples: int = 10_000, confidence: float = 0.95, seed: int = 0) -> PairedTest:
    """Test ``mean(a - b) != 0`` for per-video scores ``a`` and ``b`` in the same video order."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"paired scores must be two 1-D arrays of the same length, got {a.shape} and {b.shape}")
    keep = np.isfinite(a) & np.isfinite(b)
    differences = a[keep] - b[keep]
    if differences.size < 2:
        raise ValueError(f"a paired bootstrap needs at least two shared videos, got {differences.size}")
    rng = np.random.default_rng(seed)
    means = differences[rng.integers(0, differences.size, size=(resamples, differences.size))].mean(axis=1)
    tail = (1 - confidence) / 2
    below, above = (means <= 0).sum(), (means >= 0).sum()
    p_value = min(1.0, 2 * (min(below, above) + 1) / (resamples + 1))
    return PairedTest(
        int(differences.size),
        float(differences.mean()),
        float(np.quantile(means, tail)),
        float(np.quantile(means, 1 - tail)),
        float(p_value),
    )


def paired_set_bootstrap(
    videos: int,
    difference: Callable[[np.ndarray], float],
    resamples: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedTest:
    """The same test for a set-level statistic (VFID): ``difference(indices)`` recomputes A - B on a
    draw of video indices; the reported difference is the one on all videos."""
    if videos < 2:
        raise ValueError(f"a paired bootstrap needs at least two shared videos, got {videos}")
    rng = np.random.default_rng(seed)
    draws = np.array([difference(rng.integers(0, videos, size=videos)) for _ in range(resamples)])
    tail = (1 - confidence) / 2
    below, above = (draws <= 0).sum(), (draws >= 0).sum()
    p_value = min(1.0, 2 * (min(below, above) + 1) / (resamples + 1))
    return PairedTest(
        videos,
        float(difference(np.arange(videos))),
        float(np.quantile(draws, tail)),
        float(np.quantile(draws, 1 - tail)),
        float(p_value),
    )
