"""The model a config names: the published files, a vivid-train checkpoint, or random weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.weights import folder_of, path_of
from vivid_model.checkpoints import DTYPES, CheckpointError
from vivid_model.components import Components, PublishedPaths, build_components, load_published
from vivid_model.config import config_named

WEIGHTS = ("published", "checkpoint", "random")
TRAINED_PARTS = ("reference_unet", "denoiser", "pose_guider")


def published_paths(paths: dict[str, Any]) -> PublishedPaths:
    if paths.get("root"):
        return PublishedPaths.under(paths["root"])
    return PublishedPaths(
        folder_of("sd-image-variations-diffusers"),
        folder_of("sd-vae-ft-mse"),
        path_of("vivid_denoising_unet"),
        path_of("vivid_reference_unet"),
        path_of("vivid_pose_guider"),
        path_of("animatediff_mm_sd_v15_v2"),
    )


def load_trained(components: Components, checkpoint: str | Path) -> Components:
    """Our training checkpoint (``vivid-train``): the trained parts' state dicts, loaded strictly."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or "model" not in state or state.get("config") != components.config.name:
        raise CheckpointError(f"{checkpoint}: not a vivid-train checkpoint of the {components.config.name!r} model")
    for part in TRAINED_PARTS:
        getattr(components, part).load_state_dict(state["model"][part])
    return components


@dataclass
@defaults_from("model/vivid.yaml")
class ModelSpec:
    """What the Hydra group ``model`` names: a configuration and where its weights come from."""

    config: str = FROM_YAML  # a name of vivid_model.config (vivid | tiny)
    weights: str = FROM_YAML  # published | checkpoint | random
    checkpoint: str | None = FROM_YAML
    seed: int = FROM_YAML  # random weights: the seed they are drawn from
    strict: bool = FROM_YAML  # published weights: every key must match
    paths: dict[str, Any] = FROM_YAML  # published weights: root (a ViViD ckpts/ layout) or the registry

    def __post_init__(self) -> None:
        if self.weights not in WEIGHTS:
            raise ValueError(f"model.weights must be one of {WEIGHTS}, got {self.weights!r}")
        if self.weights == "checkpoint" and not self.checkpoint:
            raise ValueError("model.weights=checkpoint needs model.checkpoint=PATH")
        config_named(self.config)  # an unknown name fails here, naming the known ones

    def load(self) -> Components:
        config = config_named(self.config)
        if self.weights == "published":
            return load_published(published_paths(dict(self.paths or {})), config, strict=self.strict)
        components = build_components(config, seed=int(self.seed))
        if self.weights == "checkpoint":
            load_trained(components, str(self.checkpoint))
        return components


def load_model(spec: ModelSpec | Mapping[str, Any]) -> Components:
    """The model of a spec (or of a mapping of its fields, as the YAML of the ``model`` group)."""
    if not isinstance(spec, ModelSpec):
        spec = ModelSpec(**{str(k): v for k, v in dict(spec).items() if k != "_target_"})
    return spec.load()


def resolve_dtype(name: str, device: str) -> torch.dtype:
    if name == "auto":
        return torch.float16 if device.startswith("cuda") else torch.float32
    if name not in DTYPES:
        raise ValueError(f"dtype must be auto or one of {', '.join(DTYPES)}, got {name!r}")
    return DTYPES[name]
