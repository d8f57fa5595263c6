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
    # fewer samples than dimensions: singular covariances, no eps needed
    few = np.random.default_rng(1).normal(size=(5, 64))
    assert np.isfinite(frechet_distance_of(few, few + 0.5)) and frechet_distance_of(few, few + 0.5) > 0
    _mu, sigma = gaussian_stats(features)
    assert sigma.shape == (8, 8) and np.allclose(sigma, np.cov(features.T, ddof=1))
    with pytest.raises(ValueError):
        gaussian_stats(features[:1])


@pytest.mark.parametrize("variance", [1e-3, 1e-4, 1e-5])
def test_fewer_clips_than_dimensions_match_scipy_without_eps(variance: float):
    """VFID's usual case (N < D): the value equals pytorch-fid's rule, which adds eps only when sqrtm
    fails; here sqrtm succeeds, so the reference is SciPy's sqrtm on the same matrices, no eps."""
    rng = np.random.default_rng(0)
    a = rng.normal(scale=np.sqrt(variance), size=(60, 256))
    b = rng.normal(scale=np.sqrt(variance), size=(60, 256)) + 0.01 * np.sqrt(variance)
    mu1, s1 = gaussian_stats(a)
    mu2, s2 = gaussian_stats(b)
    covmean = linalg.sqrtm(s1 @ s2)
    assert np.isfinite(covmean).all()  # pytorch-fid would not add eps here
    reference = float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean).real)
    assert frechet_distance_of(a, b) == pytest.approx(reference, rel=1e-6)
    with_eps = frechet_distance(mu1, s1 + 1e-6 * np.eye(256), mu2, s2 + 1e-6 * np.eye(256))
    assert with_eps < reference  # the old rule (eps on every singular covariance) read low, for the record


def test_details_say_how_the_value_was_computed():
    from vivid_eval.metrics.frechet import frechet_details

    few = np.random.default_rng(3).normal(size=(5, 32))
    details = frechet_details(*gaussian_stats(few), *gaussian_stats(few + 1))
    assert details["eps_added"] is False and details["clipped_eigenvalues"] >= 0 and details["value"] > 0
