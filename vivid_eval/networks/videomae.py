"""VideoMAE-v2 video transformer (Wang et al. CVPR 2023), the feature network of content-debiased FVD.

cd-FVD (Ge et al. CVPR 2024; the ``cd-fvd`` package) uses the ViT-giant fine-tuned on
Something-Something v2 (``vit_g_hybrid_pt_1200e_ssv2_ft.pth``) and takes as a clip's feature the
layer-normed mean of the last block's tokens (1408-d). The module names follow the published
checkpoint (``patch_embed.proj``, ``blocks.N.attn.qkv`` with separate ``q_bias``/``v_bias`` and no
key bias, ``fc_norm``, ``head``), so it loads strictly. The position embedding is the fixed
sinusoid table of the original (not a parameter, not in the checkpoint); the network takes
exactly ``frames`` frames at ``image_size`` (16 x 224 x 224 for the published model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class VideoMAEConfig:
    embed_dim: int = 1408
    depth: int = 40
    heads: int = 16
    mlp_ratio: float = 48 / 11
    patch: int = 14
    tubelet: int = 2
    frames: int = 16
    image_size: int = 224
    classes: int = 174  # the SSv2 head; unused by FVD but present in the checkpoint
    norm_eps: float = 1e-6

    @property
    def tokens(self) -> int:
        return (self.frames // self.tubelet) * (self.image_size // self.patch) ** 2


#: the network cd-FVD loads: ViT-g/14, 16 frames, tubelet 2
GIANT = VideoMAEConfig()


def sinusoid_table(positions: int, dim: int) -> torch.Tensor:
    """(1, positions, dim): sin on even, cos on odd channels, wavelength 10000^(2 floor(j/2) / dim)."""
    position = np.arange(positions, dtype=np.float64)[:, None]
    exponent = 2 * (np.arange(dim) // 2) / dim
    angles = position / np.power(10000.0, exponent)[None, :]
    table = np.where(np.arange(dim) % 2 == 0, np.sin(angles), np.cos(angles))
    return torch.tensor(table, dtype=torch.float32).unsqueeze(0)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(dim))
        self.v_bias = nn.Parameter(torch.zeros(dim))
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, dim = x.shape
        bias = torch.cat([self.q_bias, torch.zeros_like(self.q_bias), self.v_bias])
        qkv = F.linear(x, self.qkv.weight, bias).reshape(batch, tokens, 3, self.heads, dim // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        scale = (dim // self.heads) ** -0.5
        weights = torch.softmax((q * scale) @ k.transpose(-2, -1), dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(batch, tokens, dim))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, config: VideoMAEConfig) -> None:
        super().__init__()
        dim = config.embed_dim
        self.norm1 = nn.LayerNorm(dim, eps=config.norm_eps)
        self.attn = Attention(dim, config.heads)
        self.norm2 = nn.LayerNorm(dim, eps=config.norm_eps)
        self.mlp = Mlp(dim, int(dim * config.mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, config: VideoMAEConfig) -> None:
        super().__init__()
        kernel = (config.tubelet, config.patch, config.patch)
        self.proj = nn.Conv3d(3, config.embed_dim, kernel_size=kernel, stride=kernel)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class VideoMAEv2(nn.Module):
    """The encoder with mean pooling; :meth:`features` is what cd-FVD takes from it."""

    def __init__(self, config: VideoMAEConfig = GIANT) -> None:
        super().__init__()
        self.config = config
        self.patch_embed = PatchEmbed(config)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.depth))
        self.fc_norm = nn.LayerNorm(config.embed_dim, eps=config.norm_eps)
        self.head = nn.Linear(config.embed_dim, config.classes)
        self.register_buffer("pos_embed", sinusoid_table(config.tokens, config.embed_dim), persistent=False)

    def features(self, clips: torch.Tensor) -> torch.Tensor:
        """(N, 3, frames, H, W) in [0, 1] at the configured size -> (N, embed_dim)."""
        config = self.config
        expected = (3, config.frames, config.image_size, config.image_size)
        if clips.ndim != 5 or tuple(clips.shape[1:]) != expected:
            raise ValueError(f"VideoMAE-v2 takes (N, {', '.join(map(str, expected))}) clips, got {tuple(clips.shape)}")
        x = self.patch_embed(clips) + self.pos_embed.to(clips.dtype)
        for block in self.blocks:
            x = block(x)
        return self.fc_norm(x.mean(dim=1))

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(clips))
