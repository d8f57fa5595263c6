"""One input contract for every metric: the accepted forms give the same number, the rest a ValueError in the
caller's terms (the three cases found: [-1, 1] floats, a torch uint8 frames-last tensor, a 5-D batch)."""

import numpy as np
import pytest
import torch

from vivid_eval import VFID, VideoSSIM, as_videos, from_loader
from vivid_eval.metrics.temporal import TemporalFlicker


@pytest.fixture(scope="module")
def pair() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    reference = rng.integers(0, 256, (6, 40, 32, 3), dtype=np.uint8)
    noise = rng.normal(0, 20, reference.shape)
    return np.clip(reference + noise, 0, 255).astype(np.uint8), reference


def ssim(prediction, reference) -> float:
    metric = VideoSSIM()
    metric.update(prediction, reference)
    return float(metric.compute())


def test_every_accepted_form_gives_the_same_number(pair):
    prediction, reference = pair
    expected = ssim(prediction, reference)
    unit = lambda v: torch.from_numpy(v).permute(0, 3, 1, 2).float() / 255  # noqa: E731
    forms = {
        "torch uint8 (T, H, W, 3)": (torch.from_numpy(prediction), torch.from_numpy(reference)),
        "torch float (T, 3, H, W) in [0, 1]": (unit(prediction), unit(reference)),
        "numpy float64 (T, H, W, 3) in [0, 1]": (prediction / 255.0, reference / 255.0),
        "loader clips in [-1, 1], converted": (
            from_loader(unit(prediction) * 2 - 1),
            from_loader(unit(reference) * 2 - 1),
        ),
    }
    for form, (p, r) in forms.items():
        assert ssim(p, r) == pytest.approx(expected, abs=1e-6), form


def test_a_batch_is_scored_video_by_video(pair):
    prediction, reference = pair
    batch = VideoSSIM()
    batch.update(np.stack([prediction, reference]), np.stack([reference, reference]))
    assert float(batch.compute()) == pytest.approx((ssim(prediction, reference) + 1.0) / 2, abs=1e-6)
    flicker = TemporalFlicker()
    flicker.update(torch.from_numpy(np.stack([prediction, prediction])), np.stack([reference, reference]))
    assert len(flicker.values) == 2
    vfid = VFID(features=lambda clips: clips.mean(dim=(2, 3, 4)))
    vfid.update(np.stack([prediction, prediction]), real=False)
    vfid.update([reference, torch.from_numpy(reference)], real=True)
    assert len(vfid.per_video["prediction"]) == len(vfid.per_video["reference"]) == 2


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: torch.from_numpy(p).permute(0, 3, 1, 2).float() / 127.5 - 1, r"values in \[-1, 1\].*from_loader"),
        (lambda p: p.astype(np.float32), r"float32 of shape \(6, 40, 32, 3\) with values in \[0, 255\].*uint8"),
        (lambda p: p[..., :2], r"no axis of 3 colour channels"),
        (lambda p: p[:0], r"an empty video"),
        (lambda p: p.astype(np.int64), r"integers must be uint8"),
        (lambda p: p[0], r"got uint8 of shape \(40, 32, 3\); expected"),
    ],
)
def test_anything_else_is_a_value_error_in_the_callers_terms(pair, make, message: str):
    prediction, reference = pair
    with pytest.raises(ValueError, match=message):
        VideoSSIM().update(make(prediction), reference)


def test_mismatches_and_small_frames_name_the_callers_shapes(pair):
    prediction, reference = pair
    with pytest.raises(ValueError, match=r"differ: \(6, 40, 32, 3\) vs \(5, 40, 32, 3\).*given \(6, 40, 32, 3\)"):
        VideoSSIM().update(prediction, reference[:5])
    with pytest.raises(ValueError, match="2 prediction video"):
        VideoSSIM().update(np.stack([prediction, prediction]), reference[None])
    tiny = np.zeros((40, 8, 10, 3), np.uint8)  # 40 frames: more than one internal chunk of 16
    with pytest.raises(ValueError, match="SSIM needs frames of at least 11x11, got 8x10"):
        VideoSSIM().update(tiny, tiny)
    assert [v.shape for v in as_videos(torch.zeros(2, 4, 3, 12, 12))] == [(4, 12, 12, 3)] * 2
