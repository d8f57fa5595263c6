import numpy as np
import pytest
from scipy import linalg

from vivid_eval.metrics.frechet import frechet_distance, frechet_distance_of, gaussian_stats, trace_sqrt_product


def random_spd(dim: int, seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).normal(size=(dim, dim))
    return a @ a.T + dim * np.eye(dim)


def test_closed_form_for_commuting_gaussians():
    # diagonal covariances: tr(sqrt(S1 S2)) = sum(sqrt(s1 * s2))
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 16.0])
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = 5.0 + s1.sum() + s2.sum() - 2 * np.sqrt(s1 * s2).sum()
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected, rel=1e-12)
    # one dimension: (m1 - m2)^2 + (s1 - s2)^2 with standard deviations s
    assert frechet_distance([0.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(9.0 + 1.0)


def test_matches_scipy_sqrtm_on_full_covariances():
    s1, s2 = random_spd(32, 1), random_spd(32, 2)
    reference = np.trace(linalg.sqrtm(s1 @ s2)).real
    assert trace_sqrt_product(s1, s2) == pytest.approx(reference, rel=1e-9)
    mu1, mu2 = np.zeros(32), np.ones(32)
    expected = 32 + np.trace(s1) + np.trace(s2) - 2 * reference
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)


def test_identical_sets_give_zero_and_singular_covariances_work():
    features = np.random.default_rng(0).normal(size=(50, 8))
    assert frechet_distance_of(features, features) == pytest.approx(0.0, abs=1e-8)
    # fewer samples than dimensions: singular covariances, handled by the eps offset
    few = np.random.default_rng(1).normal(size=(5, 64))
    assert np.isfinite(frechet_distance_of(few, few + 0.5)) and frechet_distance_of(few, few + 0.5) > 0
    mu, sigma = gaussian_stats(features)
    assert sigma.shape == (8, 8) and np.allclose(sigma, np.cov(features.T, ddof=1))
    with pytest.raises(ValueError):
        gaussian_stats(features[:1])
