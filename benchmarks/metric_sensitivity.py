"""Does each metric see what a try-on gets wrong? Effect sizes of made degradations, region against whole frame.

Videos: three 16-frame clips of the real ViViD example (``upper1``, with its official agnostic mask) and the
six clips of the embedded example (exact masks), all at 208x156. The clean "prediction" is the reference
re-encoded (H.264, CRF 18), as a method's output would be. Each degradation changes it the way a try-on
can fail:

* garment texture swapped (the region filled with another video's pixels), colour shifted (+40 R, -30 B),
  blurred (Gaussian, sigma 4), the region's frames shuffled in time, the agnostic grey left in (128);
* the background changed (everything 6 px or more outside the mask brightened by 30 grey levels).

For each metric the effect size is the mean change (degraded - clean, paired by video) over the spread
between videos (the standard deviation of the clean values across videos, the variation a comparison of
methods has to see through). Target: on every garment degradation the region metrics (SSIM and LPIPS inside
the mask) move at least 3x as much as their whole-frame versions, and the preservation error flags the
background change (and stays near 0 on the garment degradations). LPIPS uses torchvision's ImageNet AlexNet
when it is in the torch hub cache, else a random backbone (as on the development machines, where no weights
can be downloaded): then its absolute values mean nothing and its effect sizes only show where it looks.

    python benchmarks/metric_sensitivity.py [--samples ../shared/samples/vivid_examples]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from vivid_data.example import ExampleSpec, generate_example
from vivid_data.video import decode_video, encode_video
from vivid_eval.metrics.lpips_metric import VideoLPIPS, backbone_path
from vivid_eval.metrics.region import PreservationError, RegionLPIPS, RegionSSIM
from vivid_eval.metrics.ssim import VideoSSIM
from vivid_eval.metrics.temporal import TemporalFlicker, WarpingError

SIZE = (208, 156)  # (H, W)
GARMENT = ("texture swapped", "colour shifted", "blurred", "frames shuffled", "agnostic grey")
BACKGROUND = "background changed"
PAIRS = (("ssim", "ssim_region"), ("lpips", "lpips_region"))


def clips(samples: Path, work: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(frames, bool masks) of every clip: the real example's three and the embedded example's six."""
    out = []
    video, mask = samples / "videos" / "upper1.mp4", samples / "agnostic_mask" / "upper1.mp4"
    for start in (0, 16, 32):
        indices = list(range(start, start + 16))
        out.append((decode_video(video, indices, size=SIZE), decode_video(mask, indices, size=SIZE)[..., 0] > 127))
    spec = ExampleSpec(per_category=2, num_frames=16, height=SIZE[0], width=SIZE[1], fps=24, seed=0)
    root = generate_example(work / "example", spec)
    for path in sorted(root.glob("*/videos/*.mp4")):
        masks = decode_video(path.parent.parent / "agnostic_mask" / path.name)[..., 0] > 127
        out.append((decode_video(path), masks))
    return out


def reencode(frames: np.ndarray) -> np.ndarray:
    return decode_video(encode_video(frames, fps=24, crf=18))


def degrade(kind: str, frames: np.ndarray, mask: np.ndarray, other: np.ndarray, seed: int) -> np.ndarray:
    out = frames.astype(np.float32)
    region = mask[..., None]
    if kind == "texture swapped":
        out = np.where(region, other.astype(np.float32), out)
    elif kind == "colour shifted":
        out = np.where(region, out + np.array([40, 0, -30], np.float32), out)
    elif kind == "blurred":
        blurred = np.stack([cv2.GaussianBlur(f, (0, 0), 4) for f in out])
        out = np.where(region, blurred, out)
    elif kind == "frames shuffled":
        order = np.random.default_rng(seed).permutation(len(out))
        out = np.where(region, out[order], out)
    elif kind == "agnostic grey":
        out = np.where(region, 128.0, out)
    elif kind == BACKGROUND:
        kernel = np.ones((13, 13), np.uint8)
        far = np.stack([cv2.dilate(m.astype(np.uint8), kernel) == 0 for m in mask])[..., None]
        out = np.where(far, out + 30, out)
    else:
        raise ValueError(kind)
    return np.clip(out, 0, 255).astype(np.uint8)


def measure(prediction: np.ndarray, reference: np.ndarray, mask: np.ndarray, metrics: dict) -> dict[str, float]:
    values = {}
    for name, metric in metrics.items():
        context = {"mask": mask} if "mask" in metric.needs else {}
        metric.update(prediction, reference, **context)
        values[name] = metric.last[metric.primary]
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--samples", type=Path, default=Path(__file__).resolve().parents[2] / "shared/samples/vivid_examples"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    random_backbone = not backbone_path("alex").is_file()  # the ImageNet AlexNet where it is there
    metrics = {
        "ssim": VideoSSIM(),
        "ssim_region": RegionSSIM(),
        "lpips": VideoLPIPS(random_backbone=random_backbone).setup("cpu"),
        "lpips_region": RegionLPIPS(random_backbone=random_backbone).setup("cpu"),
        "flicker": TemporalFlicker(),
        "warp": WarpingError(),
        "preserve": PreservationError(),
    }
    with tempfile.TemporaryDirectory() as work:
        videos = clips(args.samples, Path(work))
    clean: list[dict[str, float]] = []
    changed: dict[str, list[dict[str, float]]] = {kind: [] for kind in (*GARMENT, BACKGROUND)}
    for i, (frames, mask) in enumerate(videos):
        other = videos[(i + 1) % len(videos)][0]
        base = reencode(frames)
        clean.append(measure(base, frames, mask, metrics))
        for kind in changed:
            changed[kind].append(measure(reencode(degrade(kind, base, mask, other, i)), frames, mask, metrics))
    names = list(metrics)
    spread = {n: float(np.std([c[n] for c in clean], ddof=1)) for n in names}
    print(f"{len(videos)} videos (3 real clips, 6 generated), 16 frames of {SIZE[1]}x{SIZE[0]}; clean = re-encoded")
    print(
        "LPIPS backbone: " + ("random (no ImageNet weights found)" if random_backbone else str(backbone_path("alex")))
    )
    print("effect size = mean paired change / spread of the clean values between videos")
    print(f"{'':20s}" + "".join(f"{n:>14s}" for n in names))
    print(f"{'clean mean':20s}" + "".join(f"{np.mean([c[n] for c in clean]):14.4f}" for n in names))
    print(f"{'spread (sd)':20s}" + "".join(f"{spread[n]:14.4f}" for n in names))
    effects: dict[str, dict[str, float]] = {}
    for kind, rows in changed.items():
        effects[kind] = {
            n: abs(float(np.mean([r[n] - c[n] for r, c in zip(rows, clean)]))) / max(spread[n], 1e-9) for n in names
        }
        print(f"{kind:20s}" + "".join(f"{effects[kind][n]:14.1f}" for n in names))
    print()
    met = True
    for kind in GARMENT:
        ratios = [effects[kind][region] / max(effects[kind][whole], 1e-9) for whole, region in PAIRS]
        ok = all(r >= 3 for r in ratios)
        met &= ok
        print(
            f"{kind:20s} region / whole: SSIM {ratios[0]:.1f}x, LPIPS {ratios[1]:.1f}x {'(>= 3x)' if ok else '(< 3x)'}"
        )
    flagged = effects[BACKGROUND]["preserve"] >= 3 and all(
        effects[kind]["preserve"] < effects[BACKGROUND]["preserve"] / 3 for kind in GARMENT
    )
    print(
        f"background change: preservation error effect {effects[BACKGROUND]['preserve']:.1f} "
        f"(garment degradations at most {max(effects[k]['preserve'] for k in GARMENT):.1f}): "
        + ("flagged" if flagged else "not flagged")
    )
    verdict = "met" if met and flagged else "not met"
    print(f"target (region >= 3x whole on every garment degradation, background flagged): {verdict}")
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
