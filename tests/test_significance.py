"""Paired bootstrap: clear differences are significant, identical scores are not; interval vs SciPy's bootstrap."""

import numpy as np
import pytest
from scipy import stats

from vivid_eval.significance import paired_bootstrap


def test_clear_difference_is_significant_and_identical_is_not():
    rng = np.random.default_rng(0)
    a = rng.normal(0.80, 0.03, 60)
    better = a + 0.02 + rng.normal(0, 0.005, 60)
    test = paired_bootstrap(better, a)
    assert test.significant and test.low > 0 and test.p_value < 0.001 and test.videos == 60
    same = paired_bootstrap(a, a.copy())
    assert not same.significant and same.p_value == 1.0 and same.low == same.high == 0.0


def test_noise_alone_is_usually_not_significant():
    rng = np.random.default_rng(1)
    flagged = sum(
        paired_bootstrap(rng.normal(0, 1, 40), rng.normal(0, 1, 40), resamples=2000, seed=s).significant
        for s in range(40)
    )
    assert flagged <= 6  # about 5% expected at the 95% level


def test_interval_matches_scipy_percentile_bootstrap():
    rng = np.random.default_rng(2)
    a, b = rng.normal(0.5, 0.1, 80), rng.normal(0.48, 0.1, 80)
    ours = paired_bootstrap(a, b, resamples=20_000)
    reference = stats.bootstrap(
        (a - b,), np.mean, n_resamples=20_000, method="percentile", random_state=np.random.default_rng(3)
    ).confidence_interval
    # two independent Monte Carlo estimates of the same interval: within 0.003 (the std of a - b is ~0.14)
    assert ours.low == pytest.approx(reference.low, abs=3e-3) and ours.high == pytest.approx(reference.high, abs=3e-3)


def test_bad_inputs():
    with pytest.raises(ValueError, match="same length"):
        paired_bootstrap([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least two"):
        paired_bootstrap([1.0, np.nan], [1.0, 2.0])


def test_set_level_bootstrap_on_a_mean_matches_the_per_video_one():
    """With the mean as the set statistic, the set-level test is the per-video test (same draws)."""
    from vivid_eval.significance import paired_set_bootstrap

    rng = np.random.default_rng(4)
    a, b = rng.normal(0.5, 0.1, 30), rng.normal(0.45, 0.1, 30)
    per_video = paired_bootstrap(a, b, resamples=300, seed=7)
    set_level = paired_set_bootstrap(30, lambda draw: a[draw].mean() - b[draw].mean(), resamples=300, seed=7)
    assert set_level.low == pytest.approx(per_video.low) and set_level.high == pytest.approx(per_video.high)
    assert set_level.mean_difference == pytest.approx(per_video.mean_difference)
