"""The published preprocessing: PIL Lanczos resizes, [-1, 1] for the VAE, masks binarised at grey 224."""

import numpy as np
import torch
from PIL import Image

from vivid_model.preprocess import clip_input, latent_masks, pil_resize, pose_input, vae_input


def test_resizes_are_pil_lanczos_and_same_size_is_untouched():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (2, 40, 30, 3), dtype=np.uint8)
    resized = pil_resize(frames, 16, 12)
    expected = np.asarray(Image.fromarray(frames[1]).resize((12, 16), resample=Image.LANCZOS))
    assert resized.shape == (2, 16, 12, 3) and np.array_equal(resized[1], expected)
    assert np.array_equal(pil_resize(frames, 40, 30), frames)


def test_value_ranges():
    frames = np.zeros((1, 8, 8, 3), np.uint8)
    frames[..., 0] = 255
    vae = vae_input(frames, 8, 8)
    assert vae.shape == (1, 3, 8, 8) and vae[:, 0].eq(1).all() and vae[:, 1].eq(-1).all()
    assert pose_input(frames, 8, 8)[:, 0].eq(1).all() and pose_input(frames, 8, 8)[:, 2].eq(0).all()


def test_masks_count_from_grey_224_and_take_the_red_channel():
    masks = np.zeros((1, 16, 16, 3), np.uint8)
    masks[0, :8] = 224  # top half: masked
    masks[0, 8:] = 223  # bottom half: not
    masks[0, :, :, 1:] = 255  # green and blue do not count
    small = latent_masks(masks, 16, 16, 8)
    assert small.shape == (1, 1, 2, 2) and small[0, 0].tolist() == [[1.0, 1.0], [0.0, 0.0]]
    grey = np.full((1, 16, 16), 224, np.uint8)
    assert latent_masks(grey, 16, 16, 8).eq(1).all() and latent_masks(grey - 1, 16, 16, 8).eq(0).all()


def test_clip_input_is_pil_bicubic_then_clip_normalisation():
    garment = np.random.default_rng(1).integers(0, 256, (50, 40, 3), dtype=np.uint8)
    pixels = clip_input(garment, 32)
    resized = np.asarray(Image.fromarray(garment).resize((32, 32)), dtype=np.float32) / 255  # PIL default: bicubic
    expected = (resized[..., 0] - 0.48145466) / 0.26862954
    assert pixels.shape == (1, 3, 32, 32) and torch.allclose(pixels[0, 0], torch.from_numpy(expected), atol=1e-6)
