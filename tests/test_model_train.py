"""vivid-train on the embedded example: the loss falls, checkpoints resume, stage 2 trains only motion modules."""

import json
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_module

from vivid_data.loader import ClipConfig, make_loader
from vivid_model.loading import load_model
from vivid_model.scheduler import make_scheduler
from vivid_model.train import diffusion_loss, encode_batch, train, trainable_parameters


def config(dataset: Path, out: Path, **overrides):
    options = [
        f"data={dataset}",
        f"out_dir={out}",
        "model=tiny",
        "batch_size=3",
        "num_workers=0",
        "size=[64,48]",
        "learning_rate=1e-3",
        "checkpoint_every=5",
        "device=cpu",
        "mixed_precision=fp32",
    ]
    options += [f"{k}={v}" for k, v in overrides.items()]
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        return compose(config_name="train", overrides=options)


def fixed_loss(cfg, checkpoint: Path | None, dataset: Path) -> float:
    """The loss on one fixed batch with fixed noise, timesteps and garment drops."""
    parts = load_model(cfg.model)
    if checkpoint:
        from vivid_model.loading import load_trained

        load_trained(parts, checkpoint)
    batch = next(
        iter(
            make_loader(
                dataset,
                "train",
                batch_size=3,
                config=ClipConfig(clip_len=1, size=(64, 48), densepose=True, pose=False),
                shuffle=False,
            )
        )
    )
    with torch.no_grad():
        encoded = encode_batch(parts, batch, "densepose", "cpu")
        return float(diffusion_loss(parts, encoded, make_scheduler(), torch.Generator().manual_seed(123), 0.0))


@pytest.mark.slow
def test_stage_one_loss_falls_and_resumes(example_dataset: Path, tmp_path: Path):
    cfg = config(example_dataset, tmp_path / "run", steps=10)
    before = fixed_loss(cfg, None, example_dataset)
    assert train(cfg, progress=False)["step"] == 10
    longer = config(example_dataset, tmp_path / "run", steps=40)
    train(longer, progress=False)  # resumes at step 10
    steps = [json.loads(line)["step"] for line in (tmp_path / "run" / "train_log.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 41))  # no step repeated after the resume
    after = fixed_loss(cfg, tmp_path / "run" / "checkpoints" / "last.pt", example_dataset)
    print(f"fixed-batch loss {before:.4f} -> {after:.4f}")
    assert after < 0.7 * before, (before, after)
    kept = sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir())
    assert kept == ["last.pt", "step-35.pt", "step-40.pt"]


def test_stage_two_trains_motion_modules_only(example_dataset: Path, tmp_path: Path):
    first = config(example_dataset, tmp_path / "one", steps=1)
    train(first, progress=False)
    cfg = config(
        example_dataset,
        tmp_path / "two",
        stage=2,
        steps=2,
        clip_frames=6,
        batch_size=1,
        init_from=tmp_path / "one" / "checkpoints" / "last.pt",
    )
    start = load_model(cfg.model)
    from vivid_model.loading import load_trained

    load_trained(start, cfg.init_from)
    train(cfg, progress=False)
    end = load_model(cfg.model)
    load_trained(end, tmp_path / "two" / "checkpoints" / "last.pt")
    before, after = start.denoiser.unet.state_dict(), end.denoiser.unet.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(".motion_modules." in k for k in changed)
    assert torch.equal(next(start.pose_guider.parameters()), next(end.pose_guider.parameters()))
    with pytest.raises(ValueError, match="stage-2 checkpoint, but stage=1"):
        train(config(example_dataset, tmp_path / "two", stage=1, steps=3), progress=False)


def test_trainable_parameter_sets():
    from vivid_model.components import build_components
    from vivid_model.config import TINY

    parts = build_components(TINY)
    stage_one = {id(p) for p in trainable_parameters(parts, 1)}
    assert all(id(p) in stage_one for p in parts.pose_guider.parameters())
    assert not any(id(p) in stage_one for p in parts.denoiser.motion_parameters())
    assert not any(p.requires_grad for p in parts.vae.parameters())
    stage_two = trainable_parameters(parts, 2)
    assert {id(p) for p in stage_two} == {id(p) for p in parts.denoiser.motion_parameters()}
    with pytest.raises(ValueError, match="stage must be 1 or 2"):
        trainable_parameters(parts, 3)
