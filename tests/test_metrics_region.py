"""Region metrics against independent computations: scikit-image's SSIM map and SSIM of a crop, lpips' own
spatial mode, and a preservation error written out with SciPy's dilation."""

from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import ndimage
from skimage.metrics import structural_similarity

from vivid_data.video import decode_video
from vivid_eval.metrics.base import VideoSkipped
from vivid_eval.metrics.region import PreservationError, RegionLPIPS, RegionSSIM
from vivid_eval.metrics.ssim import VideoSSIM

FRAMES = [0, 20, 40]


@pytest.fixture(scope="module")
def sample(vivid_samples: Path) -> dict[str, np.ndarray]:
    """Three frames of the real example: the video, its agnostic video (no try-on at all) and the official mask."""
    size = (416, 312)
    return {
        "video": decode_video(vivid_samples / "videos" / "upper1.mp4", FRAMES, size=size),
        "agnostic": decode_video(vivid_samples / "agnostic" / "upper1.mp4", FRAMES, size=size),
        "mask": decode_video(vivid_samples / "agnostic_mask" / "upper1.mp4", FRAMES, size=size)[..., 0] > 127,
    }


def skimage_region_ssim(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> float:
    """scikit-image's full SSIM map, cropped to its valid region (5 px), mean over RGB, then over the mask."""
    values = []
    for a, b, m in zip(x, y, mask):
        _, full = structural_similarity(
            a / 255.0,
            b / 255.0,
            channel_axis=-1,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=1.0,
            full=True,
        )
        values.append(full[5:-5, 5:-5].mean(axis=-1)[m[5:-5, 5:-5]].mean())
    return float(np.mean(values))


def test_region_ssim_equals_scikit_image_under_the_mask(sample):
    metric = RegionSSIM()
    metric.update(sample["agnostic"], sample["video"], mask=sample["mask"])
    ours = metric.last["ssim_region"]
    assert ours == pytest.approx(skimage_region_ssim(sample["agnostic"], sample["video"], sample["mask"]), abs=1e-5)
    whole = VideoSSIM()
    whole.update(sample["agnostic"], sample["video"])
    # the agnostic video (grey where the garment is) is close on the whole frame, far inside the region
    assert whole.last["ssim"] > 0.85 and ours < whole.last["ssim"] - 0.3


def test_a_rectangle_equals_ssim_of_the_crop_grown_by_the_window(sample):
    """Window centres inside the rectangle see 5 px beyond it: the SSIM of that crop, whose valid region is the
    rectangle, as scikit-image computes it."""
    x, y = sample["agnostic"][:1], sample["video"][:1]
    mask = np.zeros(x.shape[:3], bool)
    mask[0, 120:260, 80:230] = True
    metric = RegionSSIM()
    metric.update(x, y, mask=mask)
    crop = structural_similarity(
        x[0, 115:265, 75:235],
        y[0, 115:265, 75:235],
        channel_axis=-1,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=255,
    )
    assert metric.last["ssim_region"] == pytest.approx(crop, abs=1e-5)


def test_float_input_gives_the_same_region_ssim(sample):
    as_uint8, as_float = RegionSSIM(), RegionSSIM()
    as_uint8.update(sample["agnostic"], sample["video"], mask=sample["mask"])
    as_float.update(sample["agnostic"] / 255.0, torch.from_numpy(sample["video"]) / 255.0, mask=sample["mask"])
    assert as_float.last["ssim_region"] == pytest.approx(as_uint8.last["ssim_region"], abs=1e-6)


def test_region_lpips_is_lpips_spatial_map_under_the_mask(sample):
    import lpips

    metric = RegionLPIPS(net="alex", random_backbone=True, seed=3).setup("cpu")
    small = {k: v[:2, ::4, ::4] for k, v in sample.items()}
    metric.update(small["agnostic"], small["video"], mask=small["mask"])
    with torch.random.fork_rng():
        torch.manual_seed(3)
        reference = lpips.LPIPS(net="alex", pnet_rand=True, spatial=True, verbose=False).eval()
    expected = []
    for a, b, m in zip(small["agnostic"], small["video"], small["mask"]):
        to = lambda f: torch.from_numpy(f).permute(2, 0, 1)[None].float() / 127.5 - 1  # noqa: E731
        with torch.no_grad():
            spatial = reference(to(a), to(b))[0, 0].numpy()
        expected.append(spatial[m].mean())
    assert metric.last["lpips_region"] == pytest.approx(float(np.mean(expected)), rel=1e-5)


def test_preservation_error_outside_the_mask_and_its_band(sample):
    reference, mask = sample["video"], sample["mask"]
    changed = reference.copy()
    changed[~mask] = np.clip(changed[~mask].astype(int) + 30, 0, 255)  # the background brightened
    metric = PreservationError(border=5)
    metric.update(changed, reference, mask=mask)
    keep = ~np.stack([ndimage.maximum_filter(m, size=11) for m in mask])  # Chebyshev distance over 5 px
    expected = np.mean(
        [np.abs(c.astype(float) - r)[k].mean() for c, r, k in zip(changed, reference.astype(float), keep)]
    )
    assert metric.last["preserve_mae"] == pytest.approx(expected, rel=1e-6) and metric.last["preserve_mae"] > 20
    untouched = PreservationError(border=5)
    region_only = reference.copy()
    region_only[mask] = 128  # a try-on that changes the garment region only
    untouched.update(region_only, reference, mask=mask)
    assert untouched.last["preserve_mae"] == 0.0
    region = RegionSSIM()
    region.update(region_only, reference, mask=mask)
    assert region.last["ssim_region"] < 0.7


def test_masks_in_every_accepted_form_and_the_refused_ones(sample):
    x, y, mask = sample["agnostic"][:2], sample["video"][:2], sample["mask"][:2]
    values = set()
    for form in (mask, mask.astype(np.uint8) * 255, mask[..., None], torch.from_numpy(mask)[:, None].float()):
        metric = RegionSSIM()
        metric.update(x, y, mask=form)
        values.add(round(metric.last["ssim_region"], 9))
    assert len(values) == 1
    batch = RegionSSIM()
    batch.update(np.stack([x, x]), np.stack([y, y]), mask=np.stack([mask, mask]))
    assert len(batch.values) == 2
    with pytest.raises(ValueError, match="needs mask="):
        RegionSSIM().update(x, y)
    with pytest.raises(ValueError, match="does not match the video"):
        RegionSSIM().update(x, y, mask=mask[:, :100])
    with pytest.raises(ValueError, match="expected bool"):
        RegionSSIM().update(x, y, mask=mask.astype(np.int64) * 7)
    with pytest.raises(VideoSkipped, match="no pixel in the valid region"):
        RegionSSIM().update(x, y, mask=np.zeros_like(mask))


def test_a_model_shared_with_whole_frame_lpips_is_given_back_as_it_came(sample):
    from vivid_eval.metrics.lpips_metric import VideoLPIPS

    whole = VideoLPIPS(random_backbone=True, seed=1).setup("cpu")
    small = {k: v[:1, ::4, ::4] for k, v in sample.items()}
    region = RegionLPIPS(model=whole.model).setup("cpu")
    region.update(small["agnostic"], small["video"], mask=small["mask"])
    assert whole.model.spatial is False
    whole.update(small["agnostic"], small["video"])  # still one number per frame
    assert whole.last_frames["lpips"].shape == (1,)
