"""LPIPS (Zhang et al. 2018) through the ``lpips`` package, v0.1 linear heads, per frame then per video.

``alex`` by default (``squeeze`` and ``vgg`` selectable; CatV2TON's script uses ``squeeze``).
The linear heads ship inside the ``lpips`` wheel; the ImageNet backbone comes from
torchvision's cache, and when it is not there the metric says so instead of downloading.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torchmetrics import Metric

NETS = ("alex", "squeeze", "vgg")
BACKBONE_FILES = {"alex": "alexnet-owt-7be5be79.pth", "squeeze": "squeezenet1_1-b8a52dc0.pth",
                  "vgg": "vgg16-397923af.pth"}


class BackboneUnavailable(FileNotFoundError):
    pass


def backbone_path(net: str) -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / BACKBONE_FILES[net]


def load_lpips(net: str = "alex", random_backbone: bool = False, device: str = "cpu"):
    """The lpips model, eval mode; ``random_backbone`` only for tests (no ImageNet weights)."""
    import lpips

    if net not in NETS:
        raise ValueError(f"LPIPS net must be one of {NETS}, got {net!r}")
    if not random_backbone and not backbone_path(net).is_file():
        raise BackboneUnavailable(
            f"LPIPS-{net} needs torchvision's ImageNet weights at {backbone_path(net)}; "
            f"put {BACKBONE_FILES[net]} there (from download.pytorch.org/models/) or set TORCH_HOME")
    return lpips.LPIPS(net=net, version="0.1", pretrained=True, pnet_rand=random_backbone, verbose=False).eval().to(device)


def lpips_frames(model, prediction: torch.Tensor, reference: torch.Tensor, batch: int | None = None) -> torch.Tensor:
    """Per-frame LPIPS of (N, 3, H, W) frames in [0, 1] (mapped to [-1, 1] as the package expects).

    ``batch`` defaults to 1 frame on the CPU (measured fastest there: larger batches fall out of
    the caches) and 16 on a GPU.
    """
    if prediction.shape != reference.shape:
        raise ValueError(f"shape mismatch: {tuple(prediction.shape)} vs {tuple(reference.shape)}")
    device = next(model.parameters()).device
    batch = batch or (1 if device.type == "cpu" else 16)
    values = []
    with torch.inference_mode():
        for i in range(0, len(prediction), batch):
            a = prediction[i:i + batch].to(device, torch.float32) * 2 - 1
            b = reference[i:i + batch].to(device, torch.float32) * 2 - 1
            values.append(model(a, b).flatten().double().cpu())
    return torch.cat(values)


class VideoLPIPS(Metric):
    """Mean over videos of the per-video mean frame LPIPS."""

    higher_is_better = False
    full_state_update = False

    def __init__(self, model, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.add_state("total", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("videos", default=torch.tensor(0), dist_reduce_fx="sum")

    def update(self, prediction: torch.Tensor, reference: torch.Tensor) -> None:
        self.total += lpips_frames(self.model, prediction, reference).mean()
        self.videos += 1

    def compute(self) -> torch.Tensor:
        return self.total / self.videos
