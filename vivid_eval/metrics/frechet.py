"""Frechet distance between Gaussians fitted to feature sets (the core of FID and VFID).

Float64 throughout. The trace of the matrix square root of sigma1 @ sigma2 is computed from
the eigenvalues of sqrt(sigma1) sigma2 sqrt(sigma1), which is symmetric positive semi-definite,
so no general ``sqrtm`` (and none of SciPy's deprecated ``disp`` argument) is needed.

pytorch-fid (and CatV2TON's copy of it) adds ``eps`` to both diagonals only when ``sqrtm``
fails (returns non-finite values), and raises "Imaginary component" when the square root has
a large imaginary part. Singular covariances are the rule for VFID (fewer clips than feature
dimensions), and ``sqrtm`` usually succeeds on them: so no ``eps`` is added here either,
whatever the conditioning; adding it whenever a covariance is singular (as this module did
before) made small-variance VFID 2-33% too low. The eigenvalue route cannot fail: the few tiny
negative eigenvalues that rounding produces are clipped to zero (their count is returned by
:func:`frechet_details`), where ``sqrtm`` would have produced the small imaginary parts that
pytorch-fid discards (or, when large, refuses with "Imaginary component").
"""

from __future__ import annotations

import numpy as np


def gaussian_stats(features: np.ndarray, ddof: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of (N, D) features: unbiased (N - 1) by default, as FID and VFID;
    ``ddof=0`` divides by N, as cd-FVD's feature statistics do."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"need (N >= 2, D) features, got shape {features.shape}")
    return features.mean(axis=0), np.atleast_2d(np.cov(features, rowvar=False, ddof=ddof))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def _trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> tuple[float, int]:
    root = _psd_sqrt(sigma1)
    inner = root @ sigma2 @ root
    values = np.linalg.eigvalsh((inner + inner.T) / 2)
    return float(np.sqrt(np.clip(values, 0, None)).sum()), int((values < 0).sum())


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """tr(sqrtm(sigma1 @ sigma2)) for covariance matrices."""
    return _trace_sqrt_product(sigma1, sigma2)[0]


def frechet_details(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> dict:
    """The distance and how it was computed: ``{"value", "method", "eps_added", "clipped_eigenvalues"}``."""
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError("the two Gaussians have different dimensions")
    if not (np.isfinite(sigma1).all() and np.isfinite(sigma2).all()):
        raise ValueError("covariance has non-finite values")
    diff = mu1 - mu2
    trace, clipped = _trace_sqrt_product(sigma1, sigma2)
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * trace
    return {
        "value": float(max(value, 0.0)),
        "method": "eigh of sqrt(S1) S2 sqrt(S1)",
        "eps_added": False,
        "clipped_eigenvalues": clipped,
    }


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr(sqrt(sigma1 sigma2)), no eps added."""
    return frechet_details(mu1, sigma1, mu2, sigma2)["value"]


def frechet_distance_of(features1: np.ndarray, features2: np.ndarray, ddof: int = 1) -> float:
    return frechet_distance(*gaussian_stats(features1, ddof), *gaussian_stats(features2, ddof))
