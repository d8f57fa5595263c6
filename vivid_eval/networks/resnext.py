"""3D ResNeXt-101 (cardinality 32, shortcut B) with the module names of kenshohara/3D-ResNets-PyTorch.

The published Kinetics checkpoints hold ``{"state_dict": ...}`` with DataParallel's ``module.``
prefix; :func:`vivid_eval.networks.checkpoints.load_resnext101` strips it and loads strictly.
VFID uses the 2048-d output of the global average pool.
"""

from __future__ import annotations

import torch
import torch.nn as nn


class ResNeXtBottleneck(nn.Module):
    expansion = 2

    def __init__(
        self, inplanes: int, planes: int, cardinality: int, stride: int = 1, downsample: nn.Module | None = None
    ) -> None:
        super().__init__()
        mid = cardinality * int(planes / 32)
        self.conv1 = nn.Conv3d(inplanes, mid, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm3d(mid)
        self.conv2 = nn.Conv3d(mid, mid, kernel_size=3, stride=stride, padding=1, groups=cardinality, bias=False)
        self.bn2 = nn.BatchNorm3d(mid)
        self.conv3 = nn.Conv3d(mid, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm3d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = self.downsample(x) if self.downsample is not None else x
        return self.relu(out + identity)


class ResNeXt3D(nn.Module):
    """Input (N, 3, T, H, W) normalised as the checkpoint expects; ``features`` gives (N, 2048)."""

    feature_dim = 2048

    def __init__(self, layers=(3, 4, 23, 3), cardinality: int = 32, num_classes: int = 400) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv3d(3, 64, kernel_size=7, stride=(1, 2, 2), padding=(3, 3, 3), bias=False)
        self.bn1 = nn.BatchNorm3d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool3d(kernel_size=(3, 3, 3), stride=2, padding=1)
        self.layer1 = self._make_layer(128, layers[0], cardinality, stride=1)
        self.layer2 = self._make_layer(256, layers[1], cardinality, stride=2)
        self.layer3 = self._make_layer(512, layers[2], cardinality, stride=2)
        self.layer4 = self._make_layer(1024, layers[3], cardinality, stride=2)
        self.fc = nn.Linear(cardinality * 32 * ResNeXtBottleneck.expansion, num_classes)

    def _make_layer(self, planes: int, blocks: int, cardinality: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * ResNeXtBottleneck.expansion:
            downsample = nn.Sequential(  # shortcut type B: a strided 1x1x1 convolution
                nn.Conv3d(
                    self.inplanes, planes * ResNeXtBottleneck.expansion, kernel_size=1, stride=stride, bias=False
                ),
                nn.BatchNorm3d(planes * ResNeXtBottleneck.expansion),
            )
        layers = [ResNeXtBottleneck(self.inplanes, planes, cardinality, stride, downsample)]
        self.inplanes = planes * ResNeXtBottleneck.expansion
        layers += [ResNeXtBottleneck(self.inplanes, planes, cardinality) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return x.mean(dim=(2, 3, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))
