"""Pose guider: the pose video (3 channels, [0, 1]) to features added to the denoising UNet's
first convolution output, frame by frame. Key names follow the published ``pose_guider.pth``
(``conv_in``, ``blocks.N``, ``conv_out``); the output convolution starts at zero so that a fresh
guider leaves the UNet unchanged."""

from __future__ import annotations

import itertools

import torch
import torch.nn as nn
import torch.nn.functional as F


class PoseGuider(nn.Module):
    def __init__(
        self, out_channels: int = 320, in_channels: int = 3, block_out_channels: tuple[int, ...] = (16, 32, 96, 256)
    ) -> None:
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, block_out_channels[0], 3, padding=1)
        blocks = []
        for channels_in, channels_out in itertools.pairwise(block_out_channels):
            blocks += [
                nn.Conv2d(channels_in, channels_in, 3, padding=1),
                nn.Conv2d(channels_in, channels_out, 3, padding=1, stride=2),
            ]
        self.blocks = nn.ModuleList(blocks)
        self.conv_out = nn.Conv2d(block_out_channels[-1], out_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        if self.conv_out.bias is not None:
            nn.init.zeros_(self.conv_out.bias)

    def forward(self, pose: torch.Tensor) -> torch.Tensor:
        """(B, 3, F, H, W) -> (B, out_channels, F, H / 2^(blocks-1), W / 2^(blocks-1))."""
        b, c, f, h, w = pose.shape
        x = pose.permute(0, 2, 1, 3, 4).reshape(b * f, c, h, w)
        x = F.silu(self.conv_in(x))
        for block in self.blocks:
            x = F.silu(block(x))
        x = self.conv_out(x)
        return x.reshape(b, f, *x.shape[1:]).permute(0, 2, 1, 3, 4)
