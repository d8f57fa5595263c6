"""Metrics of the region a try-on generates (inside the agnostic mask) and of what it should leave alone.

Whole-frame SSIM mostly measures the background every method copies from its input: the agnostic
video itself (no try-on at all) scores 0.91 on the ViViD examples. These look where the garment is:

* ``ssim_region``: the SSIM map (:mod:`~vivid_eval.metrics.ssim`'s window, constants and valid region)
  averaged over the pixels inside the mask. **Mask border:** a pixel counts when the centre of its 11x11
  window is inside the mask; windows of pixels within 5 px of the border also see pixels just outside it,
  as a garment's edge is judged against what surrounds it. Frames whose mask has no pixel in the valid
  region give no value; the video's value is the mean over the frames that have one.
* ``lpips_region``: LPIPS's spatial map (the ``lpips`` package with ``spatial=True``: each layer's
  distance upsampled to the frame) averaged over the mask's pixels; the network's receptive field crosses
  the border the same way.
* ``preserve_mae``: the mean absolute difference, in grey levels (0-255) over RGB, of the pixels farther
  than ``border`` pixels (Chebyshev distance) from the mask: how much of the person and background that a
  try-on should keep a method changed. The ``border`` band is left out because methods blend their output
  into the frame there. Lower is better; a copy of the reference outside the mask scores 0.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import torch

from vivid_eval.metrics.base import VideoMetric, VideoSkipped
from vivid_eval.metrics.lpips_metric import VideoLPIPS, _unit
from vivid_eval.metrics.ssim import K1, K2, WINDOW, _ssim_map, gaussian_window

HALF = WINDOW // 2


def _unit_float32(frames: np.ndarray) -> np.ndarray:
    return frames.astype(np.float32) / np.float32(255) if frames.dtype == np.uint8 else frames.astype(np.float32)


def ssim_map_frames(prediction: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(T, H - 10, W - 10) SSIM maps of (T, H, W, 3) frames (uint8 or float in [0, 1]): the valid region,
    the mean over RGB, the same numbers whose mean is ``ssim``."""
    if min(prediction.shape[1:3]) < WINDOW:
        raise ValueError(
            f"SSIM needs frames of at least {WINDOW}x{WINDOW}, got {prediction.shape[1]}x{prediction.shape[2]}"
        )
    taps = gaussian_window(dtype=torch.float32).numpy()

    def blur(z: np.ndarray) -> np.ndarray:
        return cv2.sepFilter2D(z, -1, taps, taps, borderType=cv2.BORDER_REFLECT)[HALF:-HALF, HALF:-HALF]

    maps = []
    for x, y in zip(_unit_float32(prediction), _unit_float32(reference)):
        maps.append(_ssim_map(x - np.float32(0.5), y - np.float32(0.5), blur, K1**2, K2**2).mean(axis=-1))
    return np.stack(maps)


def masked_means(maps: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per frame, the mean of ``maps`` over ``masks`` (NaN where the mask is empty)."""
    counts = masks.reshape(len(masks), -1).sum(axis=1)
    sums = np.where(masks, maps, 0).reshape(len(masks), -1).sum(axis=1, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _video_value(per_frame: np.ndarray, name: str, what: str) -> float:
    if np.isnan(per_frame).all():
        raise VideoSkipped(f"{name}: {what} on every frame")
    return float(np.nanmean(per_frame))


class RegionSSIM(VideoMetric):
    """SSIM inside the agnostic mask (the generated region), per frame then per video."""

    name = "ssim_region"
    label = "SSIM (garment region)"
    higher_is_better = True
    columns = ("ssim_region",)
    needs = ("mask",)

    def describe(self) -> dict[str, Any]:
        return {"border": "window centres inside the mask; windows within 5 px of its border see pixels outside"}

    def score(self, prediction, reference, mask: np.ndarray | None = None):
        assert mask is not None
        maps = ssim_map_frames(prediction, reference)
        per_frame = masked_means(maps, mask[:, HALF:-HALF, HALF:-HALF])
        return {"ssim_region": _video_value(per_frame, self.name, "the mask has no pixel in the valid region")}, {
            "ssim_region": per_frame
        }


class RegionLPIPS(VideoLPIPS):
    """LPIPS inside the agnostic mask: the mean of LPIPS's spatial map over the mask's pixels."""

    name = "lpips_region"
    label = "LPIPS (garment region)"
    columns = ("lpips_region",)
    needs = ("mask",)

    def score(self, prediction, reference, mask: np.ndarray | None = None):
        assert mask is not None
        if self.model is None:
            self.setup(self.device_name)
        maps = self._maps(prediction, reference)
        per_frame = masked_means(maps, mask)
        return {"lpips_region": _video_value(per_frame, self.name, "the mask is empty")}, {"lpips_region": per_frame}

    def _maps(self, prediction: np.ndarray, reference: np.ndarray) -> np.ndarray:
        device = next(self.model.parameters()).device
        maps = []
        spatial = self.model.spatial  # a model shared with VideoLPIPS is given back as it came
        self.model.spatial = True  # per-pixel distances, upsampled to the frame (lpips' own spatial mode)
        try:
            with torch.inference_mode():
                for x, y in zip(_unit(prediction), _unit(reference)):
                    a = x[None].to(device, torch.float32) * 2 - 1
                    b = y[None].to(device, torch.float32) * 2 - 1
                    maps.append(self.model(a, b)[0, 0].double().cpu().numpy())
        finally:
            self.model.spatial = spatial
        return np.stack(maps)


def outside(masks: np.ndarray, border: int) -> np.ndarray:
    """The pixels farther than ``border`` pixels (Chebyshev) from the mask, per frame."""
    if border <= 0:
        return ~masks
    kernel = np.ones((2 * border + 1, 2 * border + 1), np.uint8)
    return np.stack([cv2.dilate(m.astype(np.uint8), kernel) == 0 for m in masks])


class PreservationError(VideoMetric):
    """Mean absolute difference (grey levels, 0-255) outside the mask and its ``border`` band."""

    name = "preserve"
    label = "Preservation error (outside the region)"
    higher_is_better = False
    columns = ("preserve_mae",)
    needs = ("mask",)

    def __init__(self, border: int = 5, **kwargs) -> None:
        super().__init__(**kwargs)
        if border < 0:
            raise ValueError(f"border must be at least 0 pixels, got {border}")
        self.border = border

    def describe(self) -> dict[str, Any]:
        return {"border": self.border, "unit": "grey levels (0-255), mean over RGB"}

    def score(self, prediction, reference, mask: np.ndarray | None = None):
        assert mask is not None
        scale = 1.0 if prediction.dtype == np.uint8 else 255.0
        keep = outside(mask, self.border)
        per_frame = np.empty(len(prediction))
        for t, (x, y, where) in enumerate(zip(prediction, reference, keep)):
            if not where.any():
                per_frame[t] = np.nan
                continue
            difference = np.abs(x.astype(np.float32) - y.astype(np.float32)).mean(axis=-1) * scale
            per_frame[t] = float(difference[where].mean(dtype=np.float64))
        value = _video_value(per_frame, self.name, f"no pixel lies more than {self.border} px outside the mask")
        return {"preserve_mae": value}, {"preserve_mae": per_frame}
