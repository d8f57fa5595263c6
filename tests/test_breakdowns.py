"""Breakdowns per category and per view: group means with intervals, the dominant view of a video."""

import numpy as np
import pytest

from vivid_eval.breakdowns import breakdown, breakdowns, view_shares


def test_view_shares_and_the_dominant_view():
    codes = np.array([1, 1, 1, 2, 0, 3, 3])  # unknown frames are left out of the shares
    shares = view_shares(codes)
    assert shares["view"] == "frontal" and shares["frontal_share"] == pytest.approx(0.5)
    assert shares["side_share"] == pytest.approx(1 / 6) and shares["back_share"] == pytest.approx(1 / 3)
    assert view_shares(np.zeros(5, int))["view"] == "unknown"
    assert view_shares(np.array([3, 3, 1]))["view"] == "back"


def test_group_means_intervals_and_counts():
    rows = [
        {"category": "upper_body", "view": "frontal", "ssim": 0.9, "lpips": 0.1},
        {"category": "upper_body", "view": "back", "ssim": 0.7, "lpips": 0.3},
        {"category": "upper_body", "view": "frontal", "ssim": 0.8},
        {"category": "dresses", "view": "unknown", "ssim": 0.6, "lpips": float("nan")},
        {"category": None, "ssim": 0.5},
    ]
    by_category = breakdown(rows, "category", ["ssim", "lpips"])
    assert list(by_category) == ["dresses", "upper_body"]
    upper = by_category["upper_body"]
    assert upper["ssim"]["mean"] == pytest.approx(0.8) and upper["ssim"]["videos"] == 3
    assert upper["ssim"]["ci95"][0] <= 0.8 <= upper["ssim"]["ci95"][1]
    assert upper["lpips"]["videos"] == 2 and "lpips" not in by_category["dresses"]  # NaN is no value
    assert by_category["dresses"]["ssim"]["ci95"] is None  # one video: no interval
    by_view = breakdowns(rows, ["ssim"])["view"]
    assert set(by_view) == {"frontal", "back"} and by_view["frontal"]["ssim"]["mean"] == pytest.approx(0.85)
    assert breakdowns([{"ssim": 0.5}], ["ssim"]) == {}
