"""Loading the published checkpoints, with key conversion and a strict report.

- ``reference_unet.pth`` and ``pose_guider.pth``: our key names are the published ones.
- ``denoising_unet.pth`` (ViViD's 3D UNet) and ``mm_sd_v15_v2.ckpt`` (AnimateDiff v2): the spatial
  keys are diffusers' UNet keys; motion-module keys are converted from AnimateDiff's layout
  (``temporal_transformer.``, ``attention_blocks.0/1``, ``norms.0/1``, ``ff_norm``,
  ``pos_encoder.pe``) to diffusers' (``attn1/2``, ``norm1/2``, ``norm3``, ``pos_embed.pe``).
  AnimateDiff stores one positional table per attention block; diffusers shares one per block,
  so both are checked to be equal before one is kept.
- The denoising UNet is assembled like the published script: the base UNet's spatial weights
  (``conv_in`` widened from 4 to 9 input channels with zeros), then the motion module, then
  ViViD's file; every key of the model must come from one of them and every key of every file
  must be used, or the report says which.

Files are read with ``torch.load(..., weights_only=True)`` (or safetensors); a
``{"state_dict": ...}`` wrapper and ``module.`` prefixes are removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

MOTION_RENAMES = (
    (".temporal_transformer.", "."),
    (".attention_blocks.0.", ".attn1."),
    (".attention_blocks.1.", ".attn2."),
    (".norms.0.", ".norm1."),
    (".norms.1.", ".norm2."),
    (".ff_norm.", ".norm3."),
)
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class CheckpointError(ValueError):
    pass


@dataclass
class LoadReport:
    component: str
    sources: dict[str, int] = field(default_factory=dict)  # file -> keys taken from it
    missing: list[str] = field(default_factory=list)  # model keys no file provided
    unexpected: dict[str, list[str]] = field(default_factory=dict)  # file -> keys the model does not have
    mismatched: list[str] = field(default_factory=list)  # "key: file shape vs model shape"

    @property
    def ok(self) -> bool:
        return not (self.missing or self.mismatched or any(self.unexpected.values()))

    def summary(self) -> str:
        parts = [f"{self.component}: " + ", ".join(f"{n} keys from {s}" for s, n in self.sources.items())]
        if self.missing:
            parts.append(f"{len(self.missing)} missing (e.g. {', '.join(self.missing[:5])})")
        for source, keys in self.unexpected.items():
            if keys:
                parts.append(f"{len(keys)} unexpected in {source} (e.g. {', '.join(keys[:5])})")
        if self.mismatched:
            parts.append(f"{len(self.mismatched)} with the wrong shape (e.g. {'; '.join(self.mismatched[:3])})")
        return "; ".join(parts)

    def raise_if_bad(self) -> LoadReport:
        if not self.ok:
            raise CheckpointError(self.summary())
        return self


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Tensors of a .pth/.pt/.ckpt/.bin (weights_only) or .safetensors file, unwrapped."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint file not found")
    state: Any
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a torn or foreign file: say which
        raise CheckpointError(f"{path}: cannot read a state dict: {exc}") from exc
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path}: not a state dict of tensors")
    return {k.removeprefix("module."): v for k, v in state.items()}


def convert_motion_keys(state: dict[str, torch.Tensor], source: str = "motion module") -> dict[str, torch.Tensor]:
    """AnimateDiff motion-module keys to diffusers' names; other keys unchanged."""
    out: dict[str, torch.Tensor] = {}
    tables: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if ".motion_modules." not in key:
            out[key] = value
            continue
        new = key
        for old, replacement in MOTION_RENAMES:
            new = new.replace(old, replacement)
        if new.endswith(".pos_encoder.pe"):
            block = new.rsplit(".attn", 1)[0]
            if block in tables:
                if not torch.equal(tables[block], value):
                    raise CheckpointError(f"{source}: the two positional tables of {block} differ")
                continue
            tables[block] = value
            new = f"{block}.pos_embed.pe"
        out[new] = value
    return out


def load_into(
    model: torch.nn.Module, parts: list[tuple[str, dict[str, torch.Tensor]]], component: str, strict: bool = True
) -> LoadReport:
    """Load ``parts`` (later ones win) into ``model``; the report lists what is missing, unused or misshapen."""
    target = model.state_dict()
    merged: dict[str, torch.Tensor] = {}
    report = LoadReport(component)
    for source, state in parts:
        report.unexpected[source] = sorted(k for k in state if k not in target)
        taken = 0
        for key, value in state.items():
            if key not in target:
                continue
            if tuple(value.shape) != tuple(target[key].shape):
                report.mismatched.append(f"{key}: {tuple(value.shape)} in {source} vs {tuple(target[key].shape)}")
                continue
            merged[key] = value
            taken += 1
        report.sources[source] = taken
    report.missing = sorted(k for k in target if k not in merged)
    if strict:
        report.raise_if_bad()
    model.load_state_dict({**target, **merged})
    return report


def widen_conv_in(state: dict[str, torch.Tensor], in_channels: int) -> dict[str, torch.Tensor]:
    """A 4-channel UNet's ``conv_in`` widened to ``in_channels`` with zeros (the extra inputs start unused)."""
    weight = state.get("conv_in.weight")
    if weight is None or weight.shape[1] >= in_channels:
        return state
    wide = torch.zeros(weight.shape[0], in_channels, *weight.shape[2:], dtype=weight.dtype)
    wide[:, : weight.shape[1]] = weight
    return {**state, "conv_in.weight": wide}
