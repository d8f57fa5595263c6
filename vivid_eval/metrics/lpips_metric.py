"""LPIPS (Zhang et al. 2018) through the ``lpips`` package, v0.1 linear heads, per frame then per video.

``alex`` by default (``squeeze`` and ``vgg`` selectable; CatV2TON's script uses ``squeeze``).
The linear heads ship inside the ``lpips`` wheel; the ImageNet backbone comes from
torchvision's cache, and when it is not there the metric says so instead of downloading.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from vivid_data.config_defaults import yaml_defaults
from vivid_eval.metrics.base import MetricUnavailable, VideoMetric

NETS = ("alex", "squeeze", "vgg")
BACKBONE_FILES = {
    "alex": "alexnet-owt-7be5be79.pth",
    "squeeze": "squeezenet1_1-b8a52dc0.pth",
    "vgg": "vgg16-397923af.pth",
}
BACKBONE_WEIGHTS = {"alex": "alexnet", "squeeze": "squeezenet1_1", "vgg": "vgg16"}  # weights registry names


class BackboneUnavailable(FileNotFoundError):
    pass


def backbone_path(net: str) -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / BACKBONE_FILES[net]


def load_lpips(net: str = "alex", random_backbone: bool = False, device: str = "cpu", seed: int = 0):
    """The lpips model, eval mode; ``random_backbone`` only for tests (no ImageNet weights), drawn from ``seed``."""
    import lpips

    if net not in NETS:
        raise ValueError(f"LPIPS net must be one of {NETS}, got {net!r}")
    if not random_backbone and not backbone_path(net).is_file():
        raise BackboneUnavailable(
            f"LPIPS-{net} needs torchvision's ImageNet weights at {backbone_path(net)}; "
            f"put {BACKBONE_FILES[net]} there (from download.pytorch.org/models/) or set TORCH_HOME"
        )
    with torch.random.fork_rng():
        torch.manual_seed(seed)  # the random backbone (and nothing else) depends on the seed
        model = lpips.LPIPS(net=net, version="0.1", pretrained=True, pnet_rand=random_backbone, verbose=False)
    return model.eval().to(device)


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
            a = prediction[i : i + batch].to(device, torch.float32) * 2 - 1
            b = reference[i : i + batch].to(device, torch.float32) * 2 - 1
            values.append(model(a, b).flatten().double().cpu())
    return torch.cat(values)


#: defaults: conf/metric/lpips.yaml
DEFAULTS = yaml_defaults("metric/lpips.yaml")


class VideoLPIPS(VideoMetric):
    """LPIPS per frame, then the mean over frames per video; ``compute()`` is the mean over videos.

    ``random_backbone`` is for tests only (no ImageNet weights): the backbone is then drawn from
    ``seed``, so two runs on the same inputs agree.
    """

    name = "lpips"
    label = "LPIPS"
    higher_is_better = False
    columns = ("lpips",)

    def __init__(
        self,
        net: str = DEFAULTS["net"],
        random_backbone: bool = DEFAULTS["random_backbone"],
        seed: int = DEFAULTS["seed"],
        model=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if net not in NETS:
            raise ValueError(f"LPIPS net must be one of {NETS}, got {net!r}")
        self.net, self.random_backbone, self.seed = net, random_backbone, seed
        self.model = model

    @property
    def weights(self) -> tuple[str, ...]:  # type: ignore[override]
        return () if self.random_backbone else (BACKBONE_WEIGHTS[self.net],)

    def setup(self, device: str = "cpu", protocol=None) -> VideoLPIPS:
        super().setup(device, protocol)
        if self.model is None:
            try:
                self.model = load_lpips(self.net, self.random_backbone, device, seed=self.seed)
            except BackboneUnavailable as exc:
                raise MetricUnavailable(str(exc)) from exc
        return self

    def describe(self) -> dict:
        return {"net": self.net + (" (random backbone: test only, not comparable)" if self.random_backbone else "")}

    def score(self, prediction, reference) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        if self.model is None:
            self.setup(self.device_name)
        values = lpips_frames(self.model, _unit(prediction), _unit(reference))
        return {"lpips": float(values.mean())}, {"lpips": values.numpy()}


def _unit(frames) -> torch.Tensor:
    """(T, 3, H, W) float in [0, 1] from the contract's frames (uint8, or float in [0, 1])."""
    if isinstance(frames, torch.Tensor):
        return frames.float()
    tensor = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float()
    return tensor / 255.0 if frames.dtype == np.uint8 else tensor
