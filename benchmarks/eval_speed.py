"""Evaluator speed on the CPU: one 48-frame 624x832 video pair, SSIM + LPIPS + flicker + warping error,
against a naive loop (scikit-image SSIM per frame, lpips per frame) in the same run; and VFID feature
extraction in frames per second.

Target (issue: evaluator): at least 3x faster than the naive loop, with the same numbers within the
test tolerances. LPIPS uses a random backbone here (no ImageNet weights offline): the timing is the same.

    python benchmarks/eval_speed.py [--samples ../shared/samples/vivid_examples]
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import cv2
import lpips
import numpy as np
import torch
from skimage.metrics import structural_similarity

from vivid_data.video import decode_video
from vivid_eval.metrics.flow import farneback
from vivid_eval.metrics.lpips_metric import load_lpips, lpips_frames
from vivid_eval.metrics.ssim import ssim_video
from vivid_eval.metrics.temporal import reference_flows, temporal_flicker, warping_error
from vivid_eval.networks.i3d import InceptionI3d
from vivid_eval.networks.resnext import ResNeXt3D
from vivid_eval.protocols import VIVID_V1
from vivid_eval.vfid import video_clip_features

REPO = Path(__file__).resolve().parents[1]


def ours(prediction, reference, model):
    ssim, _ = ssim_video(prediction, reference)  # uint8 frames as decoded
    unit = lambda f: torch.from_numpy(f).permute(0, 3, 1, 2).float() / 255  # noqa: E731
    lp = float(lpips_frames(model, unit(prediction), unit(reference)).mean())
    flows = reference_flows(reference)
    return ssim, lp, temporal_flicker(prediction), warping_error(prediction, flows)[0]


def naive_warping_error(prediction, reference):
    """The textbook loop of Lai et al.'s definition: both flows, the mask over whole arrays, one pair at a time."""
    h, w = reference.shape[1:3]
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))

    def sample(image, flow):
        x, y = grid_x + flow[..., 0], grid_y + flow[..., 1]
        return cv2.remap(image, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    values = []
    for t in range(len(reference) - 1):
        forward, backward = farneback(reference[t], reference[t + 1]), farneback(reference[t + 1], reference[t])
        back = sample(backward, forward)
        occluded = ((forward + back) ** 2).sum(-1) > 0.01 * ((forward**2).sum(-1) + (back**2).sum(-1)) + 0.5
        # Ruder et al.'s motion boundaries of the forward flow, with forward differences f[x] - f[x+1]
        gradient = np.zeros(forward.shape[:2], np.float32)
        for c in range(2):
            gradient[:, :-1] += (forward[:, :-1, c] - forward[:, 1:, c]) ** 2
            gradient[:-1] += (forward[:-1, :, c] - forward[1:, :, c]) ** 2
        boundary = gradient > 0.01 * (forward**2).sum(-1) + 0.002
        mask = ~(occluded | boundary)
        current, following = prediction[t] / np.float32(255), prediction[t + 1] / np.float32(255)
        squared = ((sample(following.astype(np.float32), forward) - current) ** 2).mean(-1)  # mean over RGB
        values.append(float((squared * mask).sum() / mask.sum()))
    return float(np.mean(values))


def naive(prediction, reference, model):
    ssims, lps = [], []
    for p, r in zip(prediction, reference):
        ssims.append(
            structural_similarity(
                p / 255.0,
                r / 255.0,
                gaussian_weights=True,
                sigma=1.5,
                use_sample_covariance=False,
                data_range=1.0,
                channel_axis=-1,
            )
        )
        tp = torch.from_numpy(p).permute(2, 0, 1)[None].float() / 127.5 - 1
        tr = torch.from_numpy(r).permute(2, 0, 1)[None].float() / 127.5 - 1
        with torch.no_grad():
            lps.append(model(tp, tr).item())
    diffs = [np.abs(a.astype(np.int16) - b.astype(np.int16)).mean() for a, b in itertools.pairwise(prediction)]
    flicker = float((255.0 - np.mean(diffs)) / 255.0)
    return float(np.mean(ssims)), float(np.mean(lps)), flicker, naive_warping_error(prediction, reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=REPO.parent / "shared" / "samples" / "vivid_examples")
    args = parser.parse_args()
    reference = decode_video(args.samples / "videos" / "upper1.mp4")
    prediction = decode_video(args.samples / "agnostic" / "upper1.mp4")
    torch.manual_seed(0)
    model = load_lpips("alex", random_backbone=True)
    torch.manual_seed(0)
    naive_model = lpips.LPIPS(net="alex", version="0.1", pnet_rand=True, verbose=False).eval()
    started = time.perf_counter()
    a = ours(prediction, reference, model)
    t_ours = time.perf_counter() - started
    started = time.perf_counter()
    b = naive(prediction, reference, naive_model)
    t_naive = time.perf_counter() - started
    print(
        f"video pair: {len(reference)} frames of {reference.shape[2]}x{reference.shape[1]}, "
        f"{torch.get_num_threads()} threads"
    )
    print(f"ours : {t_ours:6.2f} s  ssim {a[0]:.6f} lpips {a[1]:.6f} flicker {a[2]:.6f} warp {a[3]:.6f}")
    print(f"naive: {t_naive:6.2f} s  ssim {b[0]:.6f} lpips {b[1]:.6f} flicker {b[2]:.6f} warp {b[3]:.6f}")
    print(
        f"speed-up {t_naive / t_ours:.2f}x (target >= 3x); |ssim diff| {abs(a[0] - b[0]):.2e}, "
        f"|lpips diff| {abs(a[1] - b[1]):.2e}, |flicker diff| {abs(a[2] - b[2]):.2e}, "
        f"|warp diff| {abs(a[3] - b[3]):.2e}"
    )
    started = time.perf_counter()
    pred_t, ref_t = (torch.from_numpy(v).permute(0, 3, 1, 2).float() / 255 for v in (prediction, reference))
    lpips_frames(model, pred_t, ref_t)
    t_lpips = time.perf_counter() - started
    print(
        f"LPIPS alone (ours, compute-bound AlexNet at full size): {t_lpips:.2f} s, so the most any "
        f"implementation of the same four metrics could reach here is {t_naive / t_lpips:.2f}x"
    )
    for name, net in (("I3D", InceptionI3d()), ("ResNeXt-101", ResNeXt3D())):
        net.eval()
        started = time.perf_counter()
        feats = video_clip_features(reference[:20], VIVID_V1, net.features)
        elapsed = time.perf_counter() - started
        print(f"VFID features {name}: {20 / elapsed:.1f} frames/s ({feats.shape[0]} clips of 10 frames at 224x224)")


if __name__ == "__main__":
    main()
