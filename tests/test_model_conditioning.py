"""CLIP pixels and latent masks as the published pipeline prepares them."""

import torch

from vivid_model.conditioning import CLIP_MEAN, MASK_THRESHOLD, clip_pixels, latent_mask


def test_clip_pixels_and_masks():
    grey = torch.full((1, 3, 64, 48), 0.5)
    pixels = clip_pixels(grey, 32)
    assert pixels.shape == (1, 3, 32, 32)
    assert torch.allclose(pixels[0, 0], torch.full((32, 32), (0.5 - CLIP_MEAN[0]) / 0.26862954), atol=1e-5)
    masks = torch.zeros(1, 1, 8, 8)
    masks[..., :4, :] = 224 / 255  # the lowest grey level the published rule counts as masked
    masks[..., 4:, :4] = 223 / 255
    small = latent_mask(masks, 2)
    assert small.shape == (1, 1, 4, 4) and small[..., :2, :].eq(1).all() and small[..., 2:, :].eq(0).all()


def test_threshold_is_the_published_double_normalisation():
    """x in [0, 1] -> 2x - 1 (preprocess) -> 2(2x - 1) - 1 (normalize) >= 0.5 (binarize)  <=>  x >= 0.875."""
    for level in range(256):
        x = level / 255
        assert ((2 * (2 * x - 1) - 1) >= 0.5) == (x >= MASK_THRESHOLD) == (level >= 224), level
