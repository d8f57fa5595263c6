"""CLIP pixels and latent masks as the published pipeline prepares them."""

import torch

from vivid_model.conditioning import CLIP_MEAN, clip_pixels, latent_mask


def test_clip_pixels_and_masks():
    grey = torch.full((1, 3, 64, 48), 0.5)
    pixels = clip_pixels(grey, 32)
    assert pixels.shape == (1, 3, 32, 32)
    assert torch.allclose(pixels[0, 0], torch.full((32, 32), (0.5 - CLIP_MEAN[0]) / 0.26862954), atol=1e-5)
    masks = torch.zeros(1, 1, 8, 8)
    masks[..., :4, :] = 0.8      # above 0.75 of white: in
    masks[..., 4:, :4] = 0.7     # below: out
    small = latent_mask(masks, 2)
    assert small.shape == (1, 1, 4, 4) and small[..., :2, :].eq(1).all() and small[..., 2:, :].eq(0).all()
