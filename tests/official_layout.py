"""Checkpoint files in the published key layouts, for the tiny configuration, written from the
published architectures' naming (not from our modules): diffusers' UNet2DConditionModel for the
spatial UNets, AnimateDiff v2's motion-module layout, ViViD's pose guider."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

from vivid_model.config import ModelConfig


def sinusoid_table(length: int, channels: int) -> torch.Tensor:
    """AnimateDiff's PositionalEncoding buffer (1, length, channels)."""
    position = torch.arange(length).unsqueeze(1)
    div = torch.exp(torch.arange(0, channels, 2) * (-math.log(10000.0) / channels))
    table = torch.zeros(1, length, channels)
    table[0, :, 0::2] = torch.sin(position * div)
    table[0, :, 1::2] = torch.cos(position * div)
    return table


def spatial_unet(config: ModelConfig, in_channels: int, seed: int) -> UNet2DConditionModel:
    torch.manual_seed(seed)
    return UNet2DConditionModel(
        in_channels=in_channels,
        out_channels=4,
        block_out_channels=config.block_out_channels,
        layers_per_block=config.layers_per_block,
        down_block_types=("CrossAttnDownBlock2D",) * (len(config.block_out_channels) - 1) + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * (len(config.block_out_channels) - 1),
        attention_head_dim=config.attention_heads,
        cross_attention_dim=config.cross_attention_dim,
        norm_num_groups=config.norm_num_groups,
    )


def motion_module_positions(config: ModelConfig) -> list[tuple[str, int]]:
    channels = config.block_out_channels
    out = [
        (f"down_blocks.{i}.motion_modules.{j}", c)
        for i, c in enumerate(channels)
        for j in range(config.layers_per_block)
    ]
    out += [
        (f"up_blocks.{i}.motion_modules.{j}", c)
        for i, c in enumerate(reversed(channels))
        for j in range(config.layers_per_block + 1)
    ]
    return [*out, ("mid_block.motion_modules.0", channels[-1])]


def animatediff_motion_state(config: ModelConfig, seed: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    rand = lambda *shape: torch.randn(*shape, generator=generator) * 0.02  # noqa: E731
    state = {}
    for prefix, c in motion_module_positions(config):
        t = f"{prefix}.temporal_transformer"
        state.update(
            {
                f"{t}.norm.weight": 1 + rand(c),
                f"{t}.norm.bias": rand(c),
                f"{t}.proj_in.weight": rand(c, c),
                f"{t}.proj_in.bias": rand(c),
                f"{t}.proj_out.weight": rand(c, c),
                f"{t}.proj_out.bias": rand(c),
            }
        )
        block = f"{t}.transformer_blocks.0"
        for a in (0, 1):
            attention = f"{block}.attention_blocks.{a}"
            state.update(
                {
                    f"{attention}.to_q.weight": rand(c, c),
                    f"{attention}.to_k.weight": rand(c, c),
                    f"{attention}.to_v.weight": rand(c, c),
                    f"{attention}.to_out.0.weight": rand(c, c),
                    f"{attention}.to_out.0.bias": rand(c),
                    f"{attention}.pos_encoder.pe": sinusoid_table(config.motion_max_frames, c),
                }
            )
            state.update({f"{block}.norms.{a}.weight": 1 + rand(c), f"{block}.norms.{a}.bias": rand(c)})
        state.update(
            {
                f"{block}.ff.net.0.proj.weight": rand(8 * c, c),
                f"{block}.ff.net.0.proj.bias": rand(8 * c),
                f"{block}.ff.net.2.weight": rand(c, 4 * c),
                f"{block}.ff.net.2.bias": rand(c),
                f"{block}.ff_norm.weight": 1 + rand(c),
                f"{block}.ff_norm.bias": rand(c),
            }
        )
    return state


def pose_guider_state(config: ModelConfig, seed: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    blocks = config.pose_blocks
    state = {
        "conv_in.weight": torch.randn(blocks[0], 3, 3, 3, generator=generator) * 0.1,
        "conv_in.bias": torch.zeros(blocks[0]),
    }
    index = 0
    for c_in, c_out in itertools.pairwise(blocks):
        for c in (c_in, c_out):
            state[f"blocks.{index}.weight"] = torch.randn(c, c_in, 3, 3, generator=generator) * 0.1
            state[f"blocks.{index}.bias"] = torch.zeros(c)
            index += 1
    state["conv_out.weight"] = torch.randn(config.block_out_channels[0], blocks[-1], 3, 3, generator=generator) * 0.1
    state["conv_out.bias"] = torch.zeros(config.block_out_channels[0])
    return state


#: modules ViViD's reference UNet does not have (``conv_norm_out = None``, ``conv_out`` commented out)
REFERENCE_HEAD = ("conv_norm_out.", "conv_out.")


def reference_unet_state(config: ModelConfig, seed: int) -> dict[str, torch.Tensor]:
    """``reference_unet.pth`` as published: the 5-channel spatial UNet without its output head."""
    return {
        k: v for k, v in spatial_unet(config, 5, seed=seed).state_dict().items() if not k.startswith(REFERENCE_HEAD)
    }


def write_published_layout(root: Path, config: ModelConfig) -> Path:
    """``root`` laid out like the ViViD README's ckpts/ folder, every file of the tiny model."""
    base = root / "sd-image-variations-diffusers"
    spatial_unet(config, 4, seed=1).save_pretrained(base / "unet")
    torch.manual_seed(2)
    CLIPVisionModelWithProjection(CLIPVisionConfig(**config.clip)).save_pretrained(base / "image_encoder")
    torch.manual_seed(3)
    blocks = len(config.vae_blocks)
    AutoencoderKL(
        block_out_channels=config.vae_blocks,
        down_block_types=("DownEncoderBlock2D",) * blocks,
        up_block_types=("UpDecoderBlock2D",) * blocks,
        layers_per_block=config.vae_layers,
        norm_num_groups=config.vae_norm_groups,
        latent_channels=4,
    ).save_pretrained(root / "sd-vae-ft-mse")
    (root / "ViViD").mkdir(parents=True)
    (root / "MotionModule").mkdir(parents=True)
    torch.save(reference_unet_state(config, seed=4), root / "ViViD" / "reference_unet.pth")
    denoising = {**spatial_unet(config, 9, seed=5).state_dict(), **animatediff_motion_state(config, seed=6)}
    torch.save(denoising, root / "ViViD" / "denoising_unet.pth")
    torch.save(animatediff_motion_state(config, seed=7), root / "MotionModule" / "mm_sd_v15_v2.ckpt")
    torch.save(pose_guider_state(config, seed=8), root / "ViViD" / "pose_guider.pth")
    return root
