"""Tiny-configuration forward shapes; motion modules normalise per frame and start as the identity."""

import torch

from vivid_model.config import TINY
from vivid_model.unets import DenoisingUNet, FrameGroupNorm, build_motion_unet, build_reference_unet


def test_forward_shapes_and_pose_features():
    reference = build_reference_unet(TINY)
    assert reference(torch.randn(2, 5, 8, 8), 0, encoder_hidden_states=torch.randn(2, 1, 32)).sample.shape == (2, 4, 8, 8)
    denoiser = DenoisingUNet(build_motion_unet(TINY))
    sample, embeds = torch.randn(1, 9, 4, 8, 8), torch.randn(1, 1, 32)
    with torch.no_grad():
        plain = denoiser(sample, torch.tensor(10), embeds)
        posed = denoiser(sample, torch.tensor(10), embeds, torch.randn(1, 32, 4, 8, 8))
        again = denoiser(sample, torch.tensor(10), embeds)
    assert plain.shape == (1, 4, 4, 8, 8) and not torch.allclose(plain, posed) and torch.equal(plain, again)


def test_motion_modules_are_per_frame_and_start_as_identity():
    unet = build_motion_unet(TINY)
    norms = [m for n, m in unet.named_modules() if n.endswith("motion_modules.0.norm")]
    assert norms and all(isinstance(m, FrameGroupNorm) for m in norms)
    x = torch.randn(1, 8, 3, 4, 4)
    per_frame = torch.stack([torch.nn.functional.group_norm(x[:, :, f], 4) for f in range(3)], dim=2)
    assert torch.allclose(FrameGroupNorm(4, 8, affine=False)(x), per_frame, atol=1e-6)
    # zero output projections: a fresh motion module adds nothing, so frames stay independent
    sample = torch.randn(1, 9, 3, 8, 8)
    changed = sample.clone()
    changed[:, :, 0] += 1
    denoiser = DenoisingUNet(unet)
    embeds = torch.zeros(1, 1, 32)
    with torch.no_grad():
        a, b = denoiser(sample, torch.tensor(3), embeds), denoiser(changed, torch.tensor(3), embeds)
    assert torch.allclose(a[:, :, 1:], b[:, :, 1:], atol=1e-5) and not torch.allclose(a[:, :, 0], b[:, :, 0])
    assert sum(1 for _ in denoiser.motion_parameters()) > 0 and sum(1 for _ in denoiser.spatial_parameters()) > 0
