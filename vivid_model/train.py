"""``vivid-train``: the two published training stages, from the training loader.

Stage 1 trains the reference UNet, the denoising UNet without its motion modules (frozen; fresh
ones output zero, so the UNet is the 2D one) and the pose guider on single frames. Stage 2
trains the motion modules only, on clips. The loss is the v-prediction MSE of the published
scheduler at uniform timesteps; with probability ``uncond_probability`` a sample's garment is
dropped (zero CLIP embedding and no reference attention), which is what guidance samples at
generation time. Checkpoints (``checkpoints/step-N.pt`` and ``last.pt``, atomic) hold the three
trained parts, the optimizer and the step; a rerun with the same ``out_dir`` resumes from
``last.pt``. Every step appends loss and time to ``train_log.jsonl``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from omegaconf import DictConfig
from tqdm import tqdm

from vivid_data.devices import resolve_device
from vivid_data.loader import ClipConfig, ClipDataset, make_loader
from vivid_model.components import Components
from vivid_model.conditioning import clip_pixels, latent_mask
from vivid_model.config import LATENT_SCALE
from vivid_model.loading import TRAINED_PARTS, load_model, load_trained
from vivid_model.samples import check_pose_input
from vivid_model.scheduler import make_scheduler

CHECKPOINT_PREFIX = "step-"


def trainable_parameters(parts: Components, stage: int) -> list[torch.nn.Parameter]:
    """Stage 1: reference UNet, spatial denoising UNet, pose guider. Stage 2: motion modules."""
    if stage not in (1, 2):
        raise ValueError(f"stage must be 1 or 2, got {stage}")
    for module in parts.modules().values():
        module.requires_grad_(False)
    if stage == 1:
        chosen = [
            *parts.reference_unet.parameters(),
            *parts.denoiser.spatial_parameters(),
            *parts.pose_guider.parameters(),
        ]
    else:
        chosen = list(parts.denoiser.motion_parameters())
    for parameter in chosen:
        parameter.requires_grad_(True)
    return chosen


@torch.no_grad()
def encode_batch(parts: Components, batch: dict[str, Any], pose_input: str, device: str) -> dict[str, torch.Tensor]:
    """Latents and conditions of a loader batch: video (B, F, 3, H, W) in [-1, 1] etc."""
    factor = parts.config.vae_scale_factor
    video = batch["video"].to(device)
    b, f = video.shape[:2]

    def latents(frames: torch.Tensor) -> torch.Tensor:
        flat = frames.reshape(b * f, *frames.shape[2:])
        encoded = parts.vae.encode(flat).latent_dist.sample() * LATENT_SCALE
        return encoded.reshape(b, f, *encoded.shape[1:]).permute(0, 2, 1, 3, 4)

    mask = latent_mask(batch["agnostic_mask"].to(device).reshape(b * f, 1, *video.shape[-2:]), factor)
    garment = batch["garment"].to(device)
    return {
        "target": latents(video),
        "agnostic": latents(batch["agnostic"].to(device)),
        "mask": mask.reshape(b, f, 1, *mask.shape[-2:]).permute(0, 2, 1, 3, 4),
        "pose": ((batch[pose_input].to(device) + 1) / 2).permute(0, 2, 1, 3, 4),
        "garment": torch.cat(
            [
                parts.vae.encode(garment).latent_dist.sample() * LATENT_SCALE,
                latent_mask(batch["garment_mask"].to(device), factor),
            ],
            dim=1,
        ),
        "embeds": parts.image_encoder(
            pixel_values=clip_pixels((garment + 1) / 2, parts.config.clip_image_size)
        ).image_embeds[:, None],
    }


def diffusion_loss(
    parts: Components,
    encoded: dict[str, torch.Tensor],
    scheduler,
    generator: torch.Generator,
    uncond_probability: float,
) -> torch.Tensor:
    """v-prediction MSE at random timesteps; the noise, timesteps and garment drops come from ``generator``."""
    target = encoded["target"]
    b, _, f = target.shape[:3]
    device = target.device
    noise = torch.randn(target.shape, generator=generator).to(device)
    timesteps = torch.randint(0, scheduler.config.num_train_timesteps, (b,), generator=generator).to(device)
    keep = torch.rand(b, generator=generator) >= uncond_probability
    flat = lambda x: x.permute(0, 2, 1, 3, 4).reshape(b * f, *x.shape[1:2], *x.shape[3:])  # noqa: E731
    frame_t = timesteps.repeat_interleave(f)
    noisy = scheduler.add_noise(flat(target), flat(noise), frame_t)
    velocity = scheduler.get_velocity(flat(target), flat(noise), frame_t)
    unflat = lambda x: x.reshape(b, f, *x.shape[1:]).permute(0, 2, 1, 3, 4)  # noqa: E731
    embeds = encoded["embeds"] * keep.to(device, encoded["embeds"].dtype).view(b, 1, 1)
    parts.fill_reference(encoded["garment"], embeds, keep)
    parts.bank.frames = f
    try:
        sample = torch.cat([unflat(noisy), encoded["agnostic"], encoded["mask"]], dim=1)
        prediction = parts.denoiser(sample, timesteps, embeds, parts.pose_guider(encoded["pose"]))
    finally:
        parts.bank.clear()
    return F.mse_loss(prediction.float(), unflat(velocity).float())


def _save(path: Path, parts: Components, optimizer, step: int, stage: int) -> None:
    state = {
        "config": parts.config.name,
        "stage": stage,
        "step": step,
        "optimizer": optimizer.state_dict(),
        "model": {name: getattr(parts, name).state_dict() for name in TRAINED_PARTS},
    }
    temporary = path.with_name(f".{path.name}.tmp")
    torch.save(state, temporary)
    os.replace(temporary, path)


def _checkpoints(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{CHECKPOINT_PREFIX}*.pt"), key=lambda p: int(p.stem.removeprefix(CHECKPOINT_PREFIX)))


def train(cfg: DictConfig, progress: bool = True) -> dict[str, Any]:
    device = resolve_device(cfg.device)
    autocast = (cfg.mixed_precision == "bf16") or (cfg.mixed_precision == "auto" and device.startswith("cuda"))
    out = Path(cfg.out_dir)
    folder = out / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    check_pose_input(cfg.pose_input)
    parts = load_model(cfg.model)
    if cfg.init_from:
        load_trained(parts, cfg.init_from)
    parts.to(device)
    if cfg.gradient_checkpointing:
        parts.denoiser.unet.enable_gradient_checkpointing()
        parts.reference_unet.enable_gradient_checkpointing()
    parameters = trainable_parameters(parts, cfg.stage)
    for name in TRAINED_PARTS:
        getattr(parts, name).train()
    optimizer = torch.optim.AdamW(parameters, lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    step = 0
    last = folder / "last.pt"
    if last.is_file():
        state = torch.load(last, map_location="cpu", weights_only=True)
        if state.get("stage") != cfg.stage:
            raise ValueError(f"{last}: a stage-{state.get('stage')} checkpoint, but stage={cfg.stage}")
        load_trained(parts, last)
        optimizer.load_state_dict(state["optimizer"])
        step = int(state["step"])
    frames = 1 if cfg.stage == 1 else int(cfg.clip_frames)
    clip = ClipConfig(
        clip_len=frames,
        size=tuple(cfg.size),
        densepose=cfg.pose_input == "densepose",
        pose=cfg.pose_input == "pose",
        seed=cfg.seed,
    )
    loader = make_loader(
        cfg.data, cfg.split, batch_size=cfg.batch_size, num_workers=cfg.num_workers, config=clip, drop_last=False
    )
    dataset = loader.dataset
    assert isinstance(dataset, ClipDataset)
    scheduler = make_scheduler()
    generator = torch.Generator().manual_seed(cfg.seed + step)
    log = out / "train_log.jsonl"
    epoch = step
    with tqdm(total=cfg.steps, initial=step, desc=f"train stage {cfg.stage}", unit="step", disable=not progress) as bar:
        while step < cfg.steps:
            dataset.set_epoch(epoch)
            epoch += 1
            seen = 0
            for batch in loader:
                seen += 1
                started = time.perf_counter()
                encoded = encode_batch(parts, batch, cfg.pose_input, device)
                with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=autocast):
                    loss = diffusion_loss(parts, encoded, scheduler, generator, cfg.uncond_probability)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(parameters, cfg.grad_clip)
                optimizer.step()
                step += 1
                with log.open("a") as handle:
                    handle.write(
                        json.dumps(
                            {
                                "step": step,
                                "loss": float(loss.detach()),
                                "seconds": round(time.perf_counter() - started, 4),
                            }
                        )
                        + "\n"
                    )
                bar.update(1)
                bar.set_postfix(loss=f"{float(loss):.4f}")
                if step % cfg.checkpoint_every == 0 or step == cfg.steps:
                    _save(folder / f"{CHECKPOINT_PREFIX}{step}.pt", parts, optimizer, step, cfg.stage)
                    _save(last, parts, optimizer, step, cfg.stage)
                    for old in _checkpoints(folder)[: -cfg.keep_checkpoints]:
                        old.unlink()
                if step >= cfg.steps:
                    break
            if not seen:
                raise ValueError(
                    f"{cfg.data}: the {cfg.split} split gave no usable sample (skipped: {dataset.skipped.counts()})"
                )
    return {"step": step, "last": str(last), "log": str(log)}


def main(cfg: DictConfig) -> None:
    """The CLI's task (see vivid_model.cli:train_main): user errors in one line, exit 2."""
    try:
        result = train(cfg)
    except (FileNotFoundError, ValueError) as exc:
        print(f"vivid-train: error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"stage {cfg.stage}: {result['step']} steps; checkpoint {result['last']}; log {result['log']}")


if __name__ == "__main__":
    from vivid_model.cli import train_main

    train_main()
