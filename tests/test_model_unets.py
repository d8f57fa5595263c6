"""Tiny-configuration forward shapes; motion modules normalise per frame and start as the identity."""

import torch

from vivid_model.config import TINY
from vivid_model.unets import DenoisingUNet, FrameGroupNorm, build_motion_unet, build_reference_unet


def test_forward_shapes_and_pose_features():
    reference = build_reference_unet(TINY)
    # no output head: the forward ends with the last up block's features (the first block's channels)
    out = reference(torch.randn(2, 5, 8, 8), 0, encoder_hidden_states=torch.randn(2, 1, 32)).sample
    assert out.shape == (2, TINY.block_out_channels[0], 8, 8)
    assert not [n for n, _ in reference.named_parameters() if n.startswith(("conv_norm_out", "conv_out"))]
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


def test_motion_groupnorm_has_32_groups_whatever_the_unet_uses():
    """AnimateDiff's TemporalTransformer3DModel keeps its default norm_num_groups=32; the tiny UNet uses 8."""
    assert TINY.norm_num_groups == 8
    unet = build_motion_unet(TINY)
    motion = [m for n, m in unet.named_modules() if n.endswith("motion_modules.0.norm")]
    spatial = [m for n, m in unet.named_modules() if n.endswith("resnets.0.norm1")]
    assert motion and {m.num_groups for m in motion} == {32}
    assert spatial and {m.num_groups for m in spatial} == {8}
    # the value: 32 channels in 32 groups is a per-channel norm over (H, W) of each frame on its own
    x = torch.randn(1, 32, 2, 3, 3)
    norm = FrameGroupNorm(32, 32, eps=1e-6, affine=False)
    frame = x[0, :, 1]
    by_hand = (frame - frame.mean(dim=(1, 2), keepdim=True)) / torch.sqrt(
        frame.var(dim=(1, 2), unbiased=False, keepdim=True) + 1e-6
    )
    assert torch.allclose(norm(x)[0, :, 1], by_hand, atol=1e-5)
