"""The two UNets, built from diffusers blocks.

Reference UNet: ``UNet2DConditionModel`` with 5 input channels (garment latent + garment mask)
and, as published, no output head: ViViD's ``unet_2d_condition.py`` sets ``conv_norm_out`` to
None and leaves ``conv_out`` out (only the attention banks of the reference pass are used), so
the published ``reference_unet.pth`` has neither and loads strictly only into a model without them.
Denoising UNet: ``UNetMotionModel`` (the 2D UNet inflated with AnimateDiff motion modules at every
resolution and in the mid block) with 9 input channels (noisy latent + agnostic latent +
agnostic mask); pose features are added to its first convolution's output. Three details keep it
faithful to the published AnimateDiff modules: their GroupNorm normalises each frame on its own
(diffusers' normalises over all frames together) with 32 groups whatever the UNet's
``norm_num_groups`` (``TemporalTransformer3DModel``'s default, which ``VanillaTemporalModule``
never overrides), and their output projection starts at zero.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from diffusers import UNet2DConditionModel, UNetMotionModel

from vivid_model.config import ModelConfig

#: GroupNorm groups of every motion module (AnimateDiff's ``TemporalTransformer3DModel`` default)
MOTION_NORM_GROUPS = 32


def build_reference_unet(config: ModelConfig) -> UNet2DConditionModel:
    """The reference UNet without ``conv_norm_out``/``conv_act``/``conv_out``: its forward ends after the up blocks."""
    unet = UNet2DConditionModel(
        sample_size=64,
        in_channels=5,
        out_channels=4,
        block_out_channels=config.block_out_channels,
        layers_per_block=config.layers_per_block,
        down_block_types=config.down_block_types,
        up_block_types=config.up_block_types,
        attention_head_dim=config.attention_heads,
        cross_attention_dim=config.cross_attention_dim,
        norm_num_groups=config.norm_num_groups,
    )
    unet.conv_norm_out = None  # diffusers then skips the norm and the activation
    unet.conv_act = None
    unet.conv_out = nn.Identity()  # no parameters: the published file has no conv_out keys
    return unet


class FrameGroupNorm(nn.GroupNorm):
    """GroupNorm over (B, C, F, H, W) that normalises each frame separately (AnimateDiff's behaviour)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 5:
            return super().forward(x)
        b, c, f, h, w = x.shape
        frames = x.permute(0, 2, 1, 3, 4).reshape(b * f, c, h, w)
        return super().forward(frames).reshape(b, f, c, h, w).permute(0, 2, 1, 3, 4)


def _per_frame_motion_norms(unet: UNetMotionModel) -> None:
    for name, module in list(unet.named_modules()):
        if name.endswith("motion_modules") or ".motion_modules." not in name + ".":
            continue
        for child_name, child in list(module.named_children()):
            if child_name == "norm" and type(child) is nn.GroupNorm:
                if child.num_channels % MOTION_NORM_GROUPS:
                    raise ValueError(
                        f"{name}: {child.num_channels} channels cannot form the motion modules' "
                        f"{MOTION_NORM_GROUPS} GroupNorm groups"
                    )
                replacement = FrameGroupNorm(MOTION_NORM_GROUPS, child.num_channels, child.eps, child.affine)
                replacement.load_state_dict(child.state_dict())
                setattr(module, child_name, replacement)
            if child_name == "proj_out" and isinstance(child, nn.Linear):
                nn.init.zeros_(child.weight)
                nn.init.zeros_(child.bias)


def build_motion_unet(config: ModelConfig) -> UNetMotionModel:
    motion_down = tuple(t.replace("2D", "Motion") for t in config.down_block_types)
    motion_up = tuple(t.replace("2D", "Motion") for t in config.up_block_types)
    unet = UNetMotionModel(
        sample_size=64,
        in_channels=9,
        out_channels=4,
        block_out_channels=config.block_out_channels,
        layers_per_block=config.layers_per_block,
        down_block_types=motion_down,
        up_block_types=motion_up,
        num_attention_heads=config.attention_heads,
        cross_attention_dim=config.cross_attention_dim,
        norm_num_groups=config.norm_num_groups,
        motion_num_attention_heads=config.motion_heads,
        motion_max_seq_length=config.motion_max_frames,
        use_motion_mid_block=True,
    )
    _per_frame_motion_norms(unet)
    return unet


class DenoisingUNet(nn.Module):
    """The motion UNet with the pose features added after ``conv_in`` and the garment embedding per frame."""

    def __init__(self, unet: UNetMotionModel) -> None:
        super().__init__()
        self.unet = unet
        self._pose: torch.Tensor | None = None
        unet.conv_in.register_forward_hook(self._add_pose)

    def _add_pose(self, module, inputs, output):
        return output if self._pose is None else output + self._pose.to(output.dtype)

    def forward(
        self, sample: torch.Tensor, timestep, garment_embeds: torch.Tensor, pose_features: torch.Tensor | None = None
    ) -> torch.Tensor:
        """sample (B, 9, F, h, w), garment_embeds (B, 1, D), pose_features (B, C, F, h, w) -> (B, 4, F, h, w)."""
        b, _, f, h, w = sample.shape
        if pose_features is not None:
            self._pose = pose_features.permute(0, 2, 1, 3, 4).reshape(b * f, -1, h, w)
        try:
            context = garment_embeds.repeat_interleave(f, dim=0)
            return self.unet(sample, timestep, encoder_hidden_states=context).sample
        finally:
            self._pose = None

    def motion_parameters(self):
        return (p for n, p in self.unet.named_parameters() if ".motion_modules." in n)

    def spatial_parameters(self):
        return (p for n, p in self.unet.named_parameters() if ".motion_modules." not in n)
