from pathlib import Path

import numpy as np
import pytest

from vivid_data.video import decode_video
from vivid_eval.metrics.flow import pair_flows
from vivid_eval.metrics.temporal import occlusion_mask, reference_flows, temporal_flicker, warp, warping_error


@pytest.fixture(scope="module")
def clip(vivid_samples: Path) -> np.ndarray:
    return decode_video(vivid_samples / "videos" / "upper1.mp4", indices=list(range(16, 32)), size=(208, 156))


def test_flicker_formula_and_shuffling(clip: np.ndarray):
    still = np.repeat(clip[:1], 4, axis=0)
    assert temporal_flicker(still) == 1.0
    two = np.stack([np.zeros((4, 4, 3), np.uint8), np.full((4, 4, 3), 51, np.uint8)])
    assert temporal_flicker(two) == pytest.approx((255 - 51) / 255)
    shuffled = clip[np.random.default_rng(0).permutation(len(clip))]
    assert temporal_flicker(shuffled) < temporal_flicker(clip)


def test_warping_error_identity_shuffle_and_noise(clip: np.ndarray):
    flows = reference_flows(clip)
    own, per_pair = warping_error(clip, flows)
    assert len(per_pair) == len(clip) - 1 and own < 0.01
    shuffled = clip[np.random.default_rng(1).permutation(len(clip))]
    assert warping_error(shuffled, flows)[0] > 3 * own
    noisy = np.clip(clip.astype(int) + np.random.default_rng(2).normal(0, 20, clip.shape), 0, 255).astype(np.uint8)
    assert warping_error(noisy, flows)[0] > own


def test_warp_follows_a_known_shift():
    image = np.zeros((20, 20, 3), np.float32)
    image[:, 10:] = 1.0
    flow = np.zeros((20, 20, 2), np.float32)
    flow[..., 0] = 2.0  # sample two pixels to the right
    assert warp(image, flow)[5, 8, 0] == 1.0 and warp(image, flow)[5, 7, 0] == 0.0
    # consistent flows (a pure shift) are trusted away from the borders
    backward = -flow
    assert not occlusion_mask(flow, backward)[5:15, 5:15].any()


def test_occlusion_mask_is_lai_et_al_s(clip: np.ndarray):
    """Written out from the published definition: forward-backward check with the backward flow
    sampled along the forward flow; motion boundaries of the forward flow, forward differences."""
    [(forward, backward)] = pair_flows(clip[:2])
    back = warp(backward, forward)
    occluded = ((forward + back) ** 2).sum(-1) > 0.01 * ((forward**2).sum(-1) + (back**2).sum(-1)) + 0.5
    du = np.zeros((*forward.shape[:2], 2), np.float32)
    dv = np.zeros((*forward.shape[:2], 2), np.float32)
    du[:, :-1] = forward[:, :-1] - forward[:, 1:]
    dv[:-1] = forward[:-1] - forward[1:]
    boundary = (du**2).sum(-1) + (dv**2).sum(-1) > 0.01 * (forward**2).sum(-1) + 0.002
    expected = occluded | boundary
    assert 0 < expected.mean() < 0.5
    assert (
        occlusion_mask(forward, backward) != expected
    ).sum() <= expected.size * 1e-4  # float32 ties at the threshold


def test_warping_error_on_a_known_shift_by_hand():
    """A frame pair whose second frame is the first moved 1 pixel right, with a known wrong pixel: the
    error is that pixel's squared difference averaged over RGB and over the trusted pixels."""
    rng = np.random.default_rng(4)
    first = rng.integers(40, 200, (24, 24, 3)).astype(np.uint8)
    second = np.roll(first, 1, axis=1)
    second[12, 12] = first[12, 11] + 30  # one pixel off by 30 grey levels in every channel
    flow = np.zeros((24, 24, 2), np.float32)
    flow[..., 0] = 1.0  # frame t's pixel x is at x + 1 in frame t+1
    mask = np.ones((24, 24), bool)
    mask[:, -1] = False  # the replicated border column is not comparable
    value, per_pair = warping_error(np.stack([first, second]), [(mask, flow)])
    expected = 3 * (30 / 255) ** 2 / (3 * mask.sum())
    assert value == pytest.approx(expected, rel=1e-5) and per_pair.shape == (1,)


def test_temporal_metrics_take_tensors_and_refuse_single_frames(clip: np.ndarray):
    import torch

    from vivid_eval.metrics.temporal import TooFewFrames

    tensor = torch.from_numpy(clip).permute(0, 3, 1, 2).float() / 255
    assert temporal_flicker(tensor) == pytest.approx(temporal_flicker(clip), abs=1e-9)
    with pytest.raises(TooFewFrames):
        temporal_flicker(clip[:1])
    with pytest.raises(TooFewFrames):
        reference_flows(clip[:1])
    with pytest.raises(ValueError, match=r"got uint8 of shape \(2, 8, 8\); expected"):
        temporal_flicker(np.zeros((2, 8, 8), np.uint8))
