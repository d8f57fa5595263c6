"""The published pipeline's input preprocessing, on uint8 frames as our decoders give them.

ViViD's ``pipeline_pose2vid_long.py`` hands PIL images to diffusers' ``VaeImageProcessor``:
``resize`` with PIL's Lanczos filter to (height, width), then [0, 1] floats, then (for the VAE
inputs) [-1, 1]. The pose frames skip the last step (``do_normalize=False``). Masks go through
the VAE processor, are normalised a second time and binarised (``MASK_THRESHOLD``), keep
their first (red) channel and are reduced to the latent grid by nearest-neighbour sampling. The
garment reaches CLIP as ``cloth.resize((224, 224))`` (PIL's bicubic default), then
``CLIPImageProcessor`` (a no-op resize and crop at 224, 1/255, CLIP's mean and std).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from vivid_model.conditioning import CLIP_MEAN, CLIP_STD


def _rgb(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.dtype == bool:
        frame = frame.astype(np.uint8) * 255
    if frame.ndim == 2:
        frame = np.repeat(frame[..., None], 3, axis=2)
    return np.ascontiguousarray(frame.astype(np.uint8))


def pil_resize(frames: np.ndarray, height: int, width: int, resample: int = Image.Resampling.LANCZOS) -> np.ndarray:
    """(N, H, W[, 3]) uint8 -> (N, height, width, 3) uint8 through PIL, as ``VaeImageProcessor.resize``."""
    out = []
    for frame in frames:
        image = Image.fromarray(_rgb(frame))
        if image.size != (width, height):  # PIL returns a copy for the same size; so does this
            image = image.resize((width, height), resample=resample)
        out.append(np.asarray(image))
    return np.stack(out)


def unit(frames: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, 3) -> float32 (N, 3, H, W) in [0, 1] (``pil_to_numpy`` then ``numpy_to_pt``)."""
    return torch.from_numpy(frames.astype(np.float32) / 255.0).permute(0, 3, 1, 2)


def vae_input(frames: np.ndarray, height: int, width: int) -> torch.Tensor:
    """Frames for the VAE: Lanczos to the working size, [-1, 1]."""
    return unit(pil_resize(frames, height, width)) * 2.0 - 1.0


def pose_input(frames: np.ndarray, height: int, width: int) -> torch.Tensor:
    """Pose frames for the pose guider: Lanczos to the working size, [0, 1]."""
    return unit(pil_resize(frames, height, width))


def latent_masks(masks: np.ndarray, height: int, width: int, factor: int) -> torch.Tensor:
    """Mask frames (grey or RGB uint8, or bool) -> (N, 1, height / factor, width / factor) in {0, 1}.

    Resized with Lanczos like any image (so edges carry the filter's ringing), thresholded at
    0.875 of white (``conditioning.MASK_THRESHOLD``: grey 224 and up), red channel, nearest-neighbour to
    the latent grid.
    """
    x = unit(pil_resize(masks, height, width))[:, 0:1]
    binary = ((x * 2.0 - 1.0) * 2.0 - 1.0 >= 0.5).to(torch.float32)  # as published: normalise twice, binarise
    return F.interpolate(binary, size=(height // factor, width // factor), mode="nearest")


def clip_input(garment: np.ndarray, size: int) -> torch.Tensor:
    """The garment for CLIP: PIL bicubic to size x size, [0, 1], CLIP's mean and std."""
    pixels = unit(pil_resize(garment[None], size, size, resample=Image.Resampling.BICUBIC))
    mean = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    return (pixels - mean) / std
