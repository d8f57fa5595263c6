"""The model a config names: published files (registry or a ckpts/ root), a vivid-train checkpoint, random."""

import re
from pathlib import Path

import pytest
import torch
from official_layout import write_published_layout

from vivid_data.weights import WeightsUnavailable
from vivid_model.checkpoints import CheckpointError
from vivid_model.config import TINY
from vivid_model.loading import load_model, load_trained, published_paths


def test_published_from_a_ckpts_root(tmp_path: Path):
    root = write_published_layout(tmp_path / "ckpts", TINY)
    parts = load_model({"config": "tiny", "weights": "published", "paths": {"root": str(root)}})
    assert len(parts.reports) == 3 and all(r.ok for r in parts.reports)


def test_registry_paths_name_the_fix(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("VIVID_HOME", str(tmp_path))
    with pytest.raises(WeightsUnavailable, match="sd-image-variations-diffusers"):
        published_paths({})
    (tmp_path / "weights" / "sd-image-variations-diffusers").mkdir(parents=True)
    (tmp_path / "weights" / "sd-vae-ft-mse").mkdir()
    with pytest.raises(WeightsUnavailable, match="vivid-weights fetch vivid_denoising_unet"):
        published_paths({})


def test_trained_checkpoints_and_bad_options(tmp_path: Path):
    parts = load_model({"config": "tiny", "weights": "random", "seed": 1})
    state = {
        "config": "tiny",
        "stage": 1,
        "step": 3,
        "optimizer": {},
        "model": {n: getattr(parts, n).state_dict() for n in ("reference_unet", "denoiser", "pose_guider")},
    }
    torch.save(state, tmp_path / "last.pt")
    other = load_model({"config": "tiny", "weights": "checkpoint", "checkpoint": str(tmp_path / "last.pt")})
    assert torch.equal(other.pose_guider.conv_in.weight, parts.pose_guider.conv_in.weight)
    torch.save({**state, "config": "vivid"}, tmp_path / "wrong.pt")
    with pytest.raises(CheckpointError, match="not a vivid-train checkpoint of the 'tiny' model"):
        load_trained(other, tmp_path / "wrong.pt")
    with pytest.raises(ValueError, match=re.escape("model.weights must be one of")):
        load_model({"config": "tiny", "weights": "magic"})
    with pytest.raises(ValueError, match=re.escape("needs model.checkpoint")):
        load_model({"config": "tiny", "weights": "checkpoint"})
