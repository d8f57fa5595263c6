"""Reference model speed and memory: seconds per denoising step and peak GPU memory at 512x384
(H x W), 24 frames, fp16, and end-to-end frames per second of ``ViViDPipeline``.

The reference measured in the same run is the denoising UNet step with reference attention off
(plain self-attention): the printed ratio is what ViViD's garment fusion costs. Weights are
random (timing does not depend on them). Meant for a GPU; ``--config tiny --device cpu`` is a
smoke run.

    python benchmarks/model_gpu.py [--config vivid] [--device cuda] [--dtype fp16] [--frames 24]
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
            parts.fill_reference(torch.randn(2, 5, h, w, device=device, dtype=dtype), embeds, torch.tensor([False, True]))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="vivid")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--dtype", default="fp16", choices=list(DTYPES))
    parser.add_argument("--height", type=int, default=512)
    parser.add_argument("--width", type=int, default=384)
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20, help="denoising steps of the end-to-end run")
    args = parser.parse_args()
    dtype = DTYPES[args.dtype]
    parts = build_components(config_named(args.config)).to(args.device, dtype)
    factor = parts.config.vae_scale_factor
    h, w = args.height // factor, args.width // factor
    if args.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    plain = timed_steps(parts, args.device, dtype, args.frames, h, w, args.repeats, fused=False)
    fused = timed_steps(parts, args.device, dtype, args.frames, h, w, args.repeats, fused=True)
    step_memory = torch.cuda.max_memory_allocated() / 2**30 if args.device.startswith("cuda") else float("nan")
    print(f"{args.config} model, {args.device} ({torch.cuda.get_device_name() if args.device.startswith('cuda') else 'cpu'}), "
          f"{args.dtype}, {args.frames} frames at {args.height}x{args.width}")
    print(f"denoising step (CFG batch 2): {fused:.3f} s with reference attention, {plain:.3f} s without: "
          f"ratio {fused / plain:.2f}; peak memory {step_memory:.2f} GiB")
    rng = np.random.default_rng(0)
    frames, height, width = args.frames, args.height, args.width
    inputs = {"agnostic": rng.integers(0, 255, (frames, height, width, 3), dtype=np.uint8),
              "agnostic_mask": np.full((frames, height, width), 255, np.uint8),
              "garment": rng.integers(0, 255, (height, width, 3), dtype=np.uint8),
              "garment_mask": np.full((height, width), 255, np.uint8),
              "pose": rng.integers(0, 255, (frames, height, width, 3), dtype=np.uint8)}
    settings = GenerationSettings(height=height, width=width, steps=args.steps, context_frames=24, context_overlap=4)
    pipeline = ViViDPipeline(parts, args.device, dtype)
    if args.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    synchronise(args.device)
    started = time.perf_counter()
    pipeline(**inputs, settings=settings, progress=False)
    synchronise(args.device)
    elapsed = time.perf_counter() - started
    memory = torch.cuda.max_memory_allocated() / 2**30 if args.device.startswith("cuda") else float("nan")
    print(f"end to end ({args.steps} steps, VAE and reference pass included): {elapsed:.1f} s, "
          f"{frames / elapsed:.2f} frames/s; peak memory {memory:.2f} GiB")


if __name__ == "__main__":
    main()
