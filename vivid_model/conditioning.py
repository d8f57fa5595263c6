"""Inputs shared by generation and training: the garment's CLIP pixels and latent-grid masks."""

from __future__ import annotations

import torch
import torch.nn.functional as F

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
#: The published pipeline maps a mask image x in [0, 1] to [-1, 1] in ``VaeImageProcessor.preprocess``,
#: normalises it a second time (``normalize``: 2(2x - 1) - 1 = 4x - 3) and binarises at 0.5, so a pixel
#: counts as masked when 4x - 3 >= 0.5, i.e. x >= 0.875: grey level 223.125, so 224 of 255 and up.
MASK_THRESHOLD = 0.875


def clip_pixels(garment: torch.Tensor, size: int) -> torch.Tensor:
    """(B, 3, H, W) in [0, 1] -> CLIP's normalised (B, 3, size, size) (bicubic, antialiased)."""
    resized = F.interpolate(garment, size=(size, size), mode="bicubic", align_corners=False, antialias=True)
    mean = torch.tensor(CLIP_MEAN, device=garment.device, dtype=garment.dtype).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD, device=garment.device, dtype=garment.dtype).view(1, 3, 1, 1)
    return (resized.clamp(0, 1) - mean) / std


def latent_mask(masks: torch.Tensor, factor: int) -> torch.Tensor:
    """(N, 1, H, W) masks in [0, 1] -> {0, 1} at 1/factor size (nearest, as published)."""
    binary = (masks >= MASK_THRESHOLD).to(masks.dtype)
    return F.interpolate(binary, size=(masks.shape[-2] // factor, masks.shape[-1] // factor), mode="nearest")
