"""Reference model speed and memory at the published setting: 512x384 (H x W), 24 frames, fp16, 20 steps,
guidance 3.5, against the figures reported for the official script (62.6 GB peak, 204 s per clip).

Measures, in one run: seconds per guided denoising step with reference attention against the same step
without it (the cost of the garment fusion); then end-to-end generation (VAE, reference pass, all
steps) with each memory option set (PyTorch SDPA attention is always on; VAE slicing, VAE tiling,
CPU offload), printing seconds, frames/s and peak GPU memory, each as a ratio to the published
figures; and how far fp16 output is from fp32 output (mean and max absolute grey-level difference).
Weights are random (timing and memory do not depend on them). Meant for a GPU; ``--config tiny
--device cpu`` is a smoke run (memory then prints as n/a).

    python benchmarks/model_gpu.py [--config vivid] [--device cuda] [--frames 24] [--steps 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from vivid_model.checkpoints import DTYPES
from vivid_model.components import build_components
from vivid_model.config import config_named
from vivid_model.pipeline import GenerationSettings, ViViDPipeline


def synchronise(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed_steps(parts, device: str, dtype, frames: int, h: int, w: int, repeats: int, fused: bool) -> float:
    """Seconds per guided denoising step (batch 2: unconditional + conditional) on one context window."""
    d = parts.config.cross_attention_dim
    sample = torch.randn(2, 9, frames, h, w, device=device, dtype=dtype)
    embeds = torch.randn(2, 1, d, device=device, dtype=dtype)
    pose = torch.randn(2, parts.config.block_out_channels[0], frames, h, w, device=device, dtype=dtype)
    with torch.inference_mode():
        if fused:
            parts.fill_reference(
                torch.randn(2, 5, h, w, device=device, dtype=dtype), embeds, torch.tensor([False, True])
            )
            parts.bank.frames = frames
        t = torch.tensor(500, device=device)
        parts.denoiser(sample, t, embeds, pose)  # warm-up
        synchronise(device)
        started = time.perf_counter()
        for _ in range(repeats):
            parts.denoiser(sample, t, embeds, pose)
        synchronise(device)
        parts.bank.clear()
    return (time.perf_counter() - started) / repeats


def forward_difference(parts, device: str, dtype, frames: int, h: int, w: int) -> tuple[float, bool]:
    """One guided denoiser forward with reference attention in ``dtype`` and in fp32 on the same
    inputs: the relative difference of the noise predictions (norm of the difference over the fp32
    norm) and whether ``dtype`` stayed finite. Unlike whole generations, one forward does not let a
    random-weight network amplify rounding over steps."""
    generator = torch.Generator().manual_seed(0)
    d = parts.config.cross_attention_dim
    sample = torch.randn(2, 9, frames, h, w, generator=generator)
    embeds = torch.randn(2, 1, d, generator=generator)
    pose = torch.randn(2, parts.config.block_out_channels[0], frames, h, w, generator=generator)
    reference = torch.randn(2, 5, h, w, generator=generator)
    outputs = {}
    for run_dtype in (dtype, torch.float32):
        parts.to(device, run_dtype)
        with torch.inference_mode():
            parts.fill_reference(
                reference.to(device, run_dtype), embeds.to(device, run_dtype), torch.tensor([False, True])
            )
            parts.bank.frames = frames
            t = torch.tensor(500, device=device)
            out = parts.denoiser(
                sample.to(device, run_dtype), t, embeds.to(device, run_dtype), pose.to(device, run_dtype)
            )
            parts.bank.clear()
        outputs[run_dtype] = out.float().cpu()
    low, full = outputs[dtype], outputs[torch.float32]
    return float((low - full).norm() / full.norm()), bool(torch.isfinite(low).all())


PUBLISHED_PEAK_GB = 62.6  # the official script at 512x384, 24 frames, fp16 (reference-numbers.md)
PUBLISHED_SECONDS = 204.0
MEMORY_OPTIONS = {
    "SDPA": {},
    "SDPA + VAE slicing (1 frame)": {"vae_batch": 1},
    "SDPA + VAE slicing + tiling": {"vae_batch": 1, "vae_tiling": True},
    "SDPA + VAE slicing + CPU offload": {"vae_batch": 1, "cpu_offload": True},
}


def peak_gib(device: str) -> float:
    return torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else float("nan")


def reset_peak(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def inputs_of(frames: int, height: int, width: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "agnostic": rng.integers(0, 255, (frames, height, width, 3), dtype=np.uint8),
        "agnostic_mask": np.full((frames, height, width), 255, np.uint8),
        "garment": rng.integers(0, 255, (height, width, 3), dtype=np.uint8),
        "garment_mask": np.full((height, width), 255, np.uint8),
        "pose": rng.integers(0, 255, (frames, height, width, 3), dtype=np.uint8),
    }


def end_to_end(
    parts, device: str, dtype, inputs: dict, settings: GenerationSettings
) -> tuple[float, float, np.ndarray]:
    """(seconds, peak GiB, frames) of one generation; parts stay on the CPU when CPU offload is on."""
    if settings.cpu_offload:
        parts.to("cpu", dtype)
    else:
        parts.to(device, dtype)
    reset_peak(device)
    synchronise(device)
    started = time.perf_counter()
    video = ViViDPipeline(parts, device, dtype)(**inputs, settings=settings, progress=False)
    synchronise(device)
    return time.perf_counter() - started, peak_gib(device), video


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="vivid")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--dtype", default="fp16", choices=list(DTYPES))
    parser.add_argument("--height", type=int, default=512)
    parser.add_argument("--width", type=int, default=384)
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20, help="denoising steps of the end-to-end runs")
    parser.add_argument("--compare-steps", type=int, default=4, help="steps of the fp16-vs-fp32 comparison")
    args = parser.parse_args()
    dtype = DTYPES[args.dtype]
    device = args.device
    parts = build_components(config_named(args.config)).to(device, dtype)
    factor = parts.config.vae_scale_factor
    h, w = args.height // factor, args.width // factor
    reset_peak(device)
    plain = timed_steps(parts, device, dtype, args.frames, h, w, args.repeats, fused=False)
    fused = timed_steps(parts, device, dtype, args.frames, h, w, args.repeats, fused=True)
    step_memory = peak_gib(device)
    name = torch.cuda.get_device_name() if device.startswith("cuda") else "cpu"
    print(
        f"{args.config} model, {device} ({name}), {args.dtype}, {args.frames} frames at {args.height}x{args.width}, "
        f"{args.steps} steps, guidance 3.5"
    )
    print(
        f"denoising step (CFG batch 2): {fused:.3f} s with reference attention, {plain:.3f} s without: "
        f"ratio {fused / plain:.2f}; peak memory of the step {step_memory:.2f} GiB"
    )
    inputs = inputs_of(args.frames, args.height, args.width)
    base = GenerationSettings(
        height=args.height, width=args.width, steps=args.steps, guidance=3.5, context_frames=24, context_overlap=4
    )
    print(
        f"{'memory options':36s} {'seconds':>8s} {'frames/s':>9s} {'peak GiB':>9s}  vs published "
        f"({PUBLISHED_SECONDS:g} s, {PUBLISHED_PEAK_GB:g} GB)"
    )
    for label, options in MEMORY_OPTIONS.items():
        if options.get("cpu_offload") and not device.startswith("cuda"):
            continue
        seconds, memory, _ = end_to_end(
            parts, device, dtype, inputs, GenerationSettings(**{**base.record(), **options})
        )
        memory_ratio = memory * 2**30 / 1e9 / PUBLISHED_PEAK_GB
        print(
            f"{label:36s} {seconds:8.1f} {args.frames / seconds:9.2f} {memory:9.2f}  "
            f"time x{seconds / PUBLISHED_SECONDS:.2f}, "
            f"memory x{memory_ratio:.2f} (target <= 0.5)"
        )
    compare = GenerationSettings(**{**base.record(), "steps": args.compare_steps})
    _, _, half = end_to_end(parts, device, dtype, inputs, compare)
    _, _, full = end_to_end(parts, device, torch.float32, inputs, compare)
    difference = np.abs(half.astype(int) - full.astype(int))
    print(
        f"{args.dtype} vs fp32 output ({args.compare_steps} steps, random weights: a random network amplifies "
        f"rounding from step to step): mean {difference.mean():.2f}, max {difference.max()} grey levels"
    )
    relative, finite = forward_difference(parts, device, dtype, args.frames, h, w)
    print(
        f"{args.dtype} vs fp32, one denoiser forward with reference attention: relative difference "
        f"{relative:.1e} (fp16 rounding is 4.9e-4), {args.dtype} finite: {finite}"
    )


if __name__ == "__main__":
    main()
