"""Evaluator speed at ViViD-S size on a GPU: every metric on 180 clips x 64 frames at 832x624 (H x W),
against CatV2TON's ``eval_video_metrics.py`` run on the same folders in the same call.

Footage is generated (moving textures; predictions are the references with noise and a slight blur),
weights are random in the official layouts (I3D, 3D ResNeXt-101, VideoMAE-v2 ViT-g; LPIPS with a
random backbone): timing does not depend on them. Prints our seconds, theirs, the ratio (target:
at least 3x faster) and both sets of numbers side by side (equal under ``catv2ton_compat`` where the
two compute the same thing: VFID, SSIM, LPIPS; FVD differs by design, see docs/eval/vivid-s.md).

CatV2TON's script is not part of this repository: pass a checkout with ``--catv2ton DIR`` (on the
lent GPU machine, carry it as an ignored path) and the VFID checkpoints it loads as a local Hugging
Face snapshot with ``--catv2ton-vfid DIR``. Without them only our side runs.

    python benchmarks/eval_gpu.py [--clips 180] [--frames 64] [--size 832x624] [--device cuda]
        [--catv2ton /path/to/CatV2TON --catv2ton-vfid /path/to/VFID-snapshot]
    python benchmarks/eval_gpu.py --clips 4 --frames 24 --size 96x72 --device cpu --metrics ssim,lpips,vfid_i3d
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from vivid_data.video import encode_video
from vivid_eval.evaluate import evaluate_folder
from vivid_eval.networks.i3d import InceptionI3d
from vivid_eval.networks.resnext import ResNeXt3D
from vivid_eval.networks.videomae import GIANT, VideoMAEv2

ALL = "ssim,lpips,flicker,warp,vfid_i3d,vfid_resnext,fvd_videomae"


def footage(root: Path, clips: int, frames: int, height: int, width: int, seed: int = 0) -> tuple[Path, Path]:
    """``refs/videos/<id>.mp4`` and ``preds/<id>.mp4``: moving textures and a noisy, blurred copy of each."""
    rng = np.random.default_rng(seed)
    refs, preds = root / "refs" / "videos", root / "preds"
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    for i in range(clips):
        speed, phase = rng.uniform(1, 4), rng.uniform(0, 6.28)
        colour = rng.uniform(0.3, 1.0, 3).astype(np.float32)
        video = np.stack(
            [
                (0.5 + 0.5 * np.sin((x + speed * t) / 23 + phase + y / 31))[..., None] * colour * 255
                for t in range(frames)
            ]
        ).astype(np.uint8)
        noisy = np.clip(video.astype(np.int16) + rng.integers(-12, 12, video.shape), 0, 255).astype(np.uint8)
        encode_video(video, refs / f"clip{i:04d}.mp4")
        encode_video(noisy, preds / f"clip{i:04d}.mp4")
    return refs.parent, preds


def random_weights(home: Path, metrics: list[str]) -> None:
    """Random networks saved where the registry looks (``$VIVID_HOME/weights``), in the official key layouts."""
    folder = home / "weights"
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    if "vfid_i3d" in metrics:
        torch.save(InceptionI3d(400).state_dict(), folder / "rgb_imagenet.pt")
    if "vfid_resnext" in metrics:
        state = {f"module.{k}": v for k, v in ResNeXt3D(num_classes=400).state_dict().items()}
        torch.save({"state_dict": state}, folder / "resnext-101-kinetics.pth")
    if "fvd_videomae" in metrics:
        torch.save({"module": VideoMAEv2(GIANT).state_dict()}, folder / "vit_g_hybrid_pt_1200e_ssv2_ft.pth")


def ours(refs: Path, preds: Path, out: Path, metrics: list[str], device: str) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    summary = evaluate_folder(
        preds,
        refs,
        out,
        metrics=metrics,
        protocol="catv2ton_compat",
        vfid_order="listing",
        device=device,
        strips=0,
        metric={"lpips": {"net": "squeeze", "random_backbone": "true"}},
    )
    seconds = time.perf_counter() - start
    values = {k: v.get("value", v.get("mean")) for k, v in summary["metrics"].items()}
    return seconds, values


def theirs(refs: Path, preds: Path, catv2ton: Path, vfid: Path) -> tuple[float, dict[str, float]]:
    """CatV2TON's script on the same folders (offline: its VFID snapshot from a local folder)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(catv2ton)}
    command = [
        sys.executable,
        str(catv2ton / "eval_video_metrics.py"),
        "--gt_folder",
        str(refs / "videos"),
        "--pred_folder",
        str(preds),
        "--paired",
        "--vfid_ckpt_path",
        str(vfid),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=catv2ton, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"CatV2TON's script failed:\n{done.stderr[-3000:]}")
    rows = [line for line in done.stdout.splitlines() if line.startswith("|")]
    header = [h.strip().lower() for h in rows[0].strip("|").split("|")]
    numbers = [float(v) for v in re.findall(r"[-+0-9.eE]+", rows[1])]
    names = {"vfid_i3d": "vfid_i3d", "vfid_resnext": "vfid_resnext", "fvd": "fvd_videomae"}
    return seconds, {names.get(h, h): v for h, v in zip(header, numbers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", type=int, default=180)
    parser.add_argument("--frames", type=int, default=64)
    parser.add_argument("--size", default="832x624", help="H x W")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--metrics", default=ALL)
    parser.add_argument("--catv2ton", type=Path, help="a checkout of Zheng-Chong/CatV2TON")
    parser.add_argument("--catv2ton-vfid", type=Path, help="a local snapshot of the VFID weights its script loads")
    args = parser.parse_args()
    height, width = (int(v) for v in args.size.split("x"))
    metrics = args.metrics.split(",")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        os.environ["VIVID_HOME"] = str(root / "home")
        random_weights(root / "home", metrics)
        refs, preds = footage(root, args.clips, args.frames, height, width)
        print(f"{args.clips} clips x {args.frames} frames at {height}x{width} on {args.device}; metrics {metrics}")
        ours_s, ours_v = ours(refs, preds, root / "eval", metrics, args.device)
        print(f"ours: {ours_s:.1f} s ({args.clips * args.frames / ours_s:.0f} frames/s)")
        if args.catv2ton and args.catv2ton_vfid:
            their_s, their_v = theirs(refs, preds, args.catv2ton, args.catv2ton_vfid)
            print(f"CatV2TON's eval_video_metrics.py: {their_s:.1f} s; speed-up {their_s / ours_s:.2f}x (target 3x)")
            for name in sorted(set(ours_v) | set(their_v)):
                mine, other = ours_v.get(name, float("nan")), their_v.get(name, float("nan"))
                print(f"  {name:14s} ours {mine:.6g}  theirs {other:.6g}")
        else:
            print("CatV2TON's script not given (--catv2ton, --catv2ton-vfid): no ratio")
            for name, value in sorted(ours_v.items()):
                print(f"  {name:14s} {value:.6g}")


if __name__ == "__main__":
    main()
