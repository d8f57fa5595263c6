"""SSIM per Wang et al. 2004: Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, population covariance.

Computed per frame on RGB in [0, 1] (the mean over channels of the per-channel SSIM maps),
averaged over the valid region (no padding: the window never leaves the image, as
scikit-image crops its border), then per video as the mean over frames.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torchmetrics import Metric

WINDOW, SIGMA, K1, K2 = 11, 1.5, 0.01, 0.03


def gaussian_window(size: int = WINDOW, sigma: float = SIGMA, dtype=torch.float64, device=None) -> torch.Tensor:
    coords = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    kernel = torch.exp(-(coords**2) / (2 * sigma**2))
    return kernel / kernel.sum()


def _filter(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Separable valid-mode Gaussian filter of (N, C, H, W).

    On the CPU, OpenCV's separable filter in float64 (PyTorch's grouped float64 convolution
    is about 50 times slower there); elsewhere a grouped convolution.
    """
    if x.device.type == "cpu":
        import cv2

        taps = kernel.cpu().numpy()
        half = len(taps) // 2
        planes = x.reshape(-1, *x.shape[-2:]).numpy()
        out = np.stack([cv2.sepFilter2D(p, cv2.CV_64F, taps, taps, borderType=cv2.BORDER_REFLECT)
                        [half:-half, half:-half] for p in planes])
        return torch.from_numpy(out).reshape(*x.shape[:-2], *out.shape[-2:])
    channels = x.shape[1]
    horizontal = kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1)
    vertical = kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1)
    return F.conv2d(F.conv2d(x, horizontal, groups=channels), vertical, groups=channels)


def ssim_frames(prediction: torch.Tensor, reference: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """SSIM of each frame pair: (N, C, H, W) x 2 -> (N,). Float64 inside for stable sums."""
    if prediction.shape != reference.shape:
        raise ValueError(f"shape mismatch: {tuple(prediction.shape)} vs {tuple(reference.shape)}")
    if min(prediction.shape[-2:]) < WINDOW:
        raise ValueError(f"frames must be at least {WINDOW}x{WINDOW}, got {tuple(prediction.shape[-2:])}")
    x, y = prediction.double(), reference.double()
    kernel = gaussian_window(device=x.device)
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    mu_x, mu_y = _filter(x, kernel), _filter(y, kernel)
    sigma_xx = _filter(x * x, kernel) - mu_x**2
    sigma_yy = _filter(y * y, kernel) - mu_y**2
    sigma_xy = _filter(x * y, kernel) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * sigma_xy + c2)) / ((mu_x**2 + mu_y**2 + c1) * (sigma_xx + sigma_yy + c2))
    return ssim_map.mean(dim=(1, 2, 3))


def ssim_video(prediction: torch.Tensor, reference: torch.Tensor, batch: int = 16) -> tuple[float, torch.Tensor]:
    """Mean SSIM over frames of (T, C, H, W) videos in [0, 1], and the per-frame values."""
    values = torch.cat([ssim_frames(prediction[i:i + batch], reference[i:i + batch])
                        for i in range(0, len(prediction), batch)])
    return float(values.mean()), values


class VideoSSIM(Metric):
    """Mean over videos of the per-video mean frame SSIM."""

    higher_is_better = True
    full_state_update = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_state("total", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("videos", default=torch.tensor(0), dist_reduce_fx="sum")

    def update(self, prediction: torch.Tensor, reference: torch.Tensor) -> None:
        value, _ = ssim_video(prediction, reference)
        self.total += value
        self.videos += 1

    def compute(self) -> torch.Tensor:
        return self.total / self.videos
