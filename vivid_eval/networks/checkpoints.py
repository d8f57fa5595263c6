"""Load the published I3D and ResNeXt-101 checkpoints strictly, reporting missing and unexpected keys."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import torch

from vivid_eval.networks.i3d import InceptionI3d
from vivid_eval.networks.resnext import ResNeXt3D
from vivid_eval.networks.videomae import GIANT, VideoMAEConfig, VideoMAEv2


class CheckpointError(ValueError):
    pass


ModuleT = TypeVar("ModuleT", bound=torch.nn.Module)


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """``torch.load(..., weights_only=True)``; unwraps ``{"state_dict": ...}`` and DataParallel's ``module.``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: checkpoint not found")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a pickle payload, a truncated file: name the file, not a raw traceback
        raise CheckpointError(f"{path}: not loadable as plain tensors (weights_only=True): {exc}") from exc
    for wrapper in ("state_dict", "model", "module"):  # torchvision/kenshohara, VideoMAE-v2 releases
        if isinstance(data, dict) and wrapper in data and isinstance(data[wrapper], dict):
            data = data[wrapper]
            break
    if not isinstance(data, dict) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise CheckpointError(f"{path}: not a state dict of tensors")
    return {k[len("module.") :] if k.startswith("module.") else k: v for k, v in data.items()}


def load_strict(model: ModuleT, path: str | Path) -> ModuleT:
    state = read_state_dict(path)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = sorted(k for k in set(state) & set(expected) if state[k].shape != expected[k].shape)
    if missing or unexpected or wrong:

        def show(keys):
            return ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")

        raise CheckpointError(
            f"{path}: missing keys [{show(missing)}]; unexpected keys [{show(unexpected)}]; "
            f"wrong shapes [{show(wrong)}]"
        )
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_i3d(path: str | Path, num_classes: int = 400, bn_eps: float = 1e-3) -> InceptionI3d:
    return load_strict(InceptionI3d(num_classes, bn_eps), path)


def load_videomae(path: str | Path, config: VideoMAEConfig = GIANT) -> VideoMAEv2:
    """VideoMAE-v2 (``{"module": state}`` or ``{"model": state}`` as released), strictly."""
    return load_strict(VideoMAEv2(config), path)


def load_resnext101(path: str | Path, num_classes: int = 400) -> ResNeXt3D:
    return load_strict(ResNeXt3D(num_classes=num_classes), path)
