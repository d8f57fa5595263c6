"""Frechet distance between Gaussians fitted to feature sets (the core of FID and VFID).

Float64 throughout. The trace of the matrix square root of sigma1 @ sigma2 is computed from
the eigenvalues of sqrt(sigma1) sigma2 sqrt(sigma1), which is symmetric positive semi-definite,
so no general ``sqrtm`` (and none of SciPy's deprecated ``disp`` argument) is needed. When a
covariance is singular to working precision, ``eps`` is added to both diagonals first, as
pytorch-fid does.
"""

from __future__ import annotations

import numpy as np


def gaussian_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance (N - 1) of (N, D) features."""
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"need (N >= 2, D) features, got shape {features.shape}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """tr(sqrtm(sigma1 @ sigma2)) for covariance matrices."""
    root = _psd_sqrt(sigma1)
    inner = root @ sigma2 @ root
    values = np.linalg.eigvalsh((inner + inner.T) / 2)
    return float(np.sqrt(np.clip(values, 0, None)).sum())


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray,
                     eps: float = 1e-6) -> float:
    """||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr(sqrt(sigma1 sigma2))."""
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError("the two Gaussians have different dimensions")
    if not (np.isfinite(sigma1).all() and np.isfinite(sigma2).all()):
        raise ValueError("covariance has non-finite values")
    if np.linalg.cond(sigma1) > 1 / np.finfo(np.float64).eps or np.linalg.cond(sigma2) > 1 / np.finfo(np.float64).eps:
        offset = np.eye(len(sigma1)) * eps
        sigma1, sigma2 = sigma1 + offset, sigma2 + offset
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt_product(sigma1, sigma2)
    return float(max(value, 0.0))


def frechet_distance_of(features1: np.ndarray, features2: np.ndarray, eps: float = 1e-6) -> float:
    return frechet_distance(*gaussian_stats(features1), *gaussian_stats(features2), eps=eps)
