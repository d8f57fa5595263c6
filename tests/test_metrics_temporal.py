from pathlib import Path

import numpy as np
import pytest

from vivid_eval.metrics.flow import pair_flows
from vivid_eval.metrics.temporal import occlusion_mask, reference_flows, temporal_flicker, warp, warping_error
from vivid_data.video import decode_video


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


def test_occlusion_mask_matches_the_vectorised_formula(clip: np.ndarray):
    """The channel-wise mask equals the textbook form written with np.gradient over whole arrays."""
    [(forward, backward)] = pair_flows(clip[:2])
    back = warp(backward, forward)
    occluded = ((forward + back) ** 2).sum(-1) > 0.01 * ((forward**2).sum(-1) + (back**2).sum(-1)) + 0.5
    du_y, du_x = np.gradient(back[..., 0])
    dv_y, dv_x = np.gradient(back[..., 1])
    boundary = du_x**2 + du_y**2 + dv_x**2 + dv_y**2 > 0.01 * (back**2).sum(-1) + 0.002
    expected = occluded | boundary
    assert 0 < expected.mean() < 0.5
    assert (occlusion_mask(forward, backward) != expected).sum() <= expected.size * 1e-4  # float32 ties at the threshold
