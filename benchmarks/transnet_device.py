"""TransNetV2's cost per frame on one CPU core and on a GPU, input preparation included, against the pose stage.

The clean stage's shot detector (``clean.cuts=transnetv2``) runs on the CPU or, with
``clean.cut_device=cuda``, on a GPU; the pose stage (MediaPipe) always runs on the CPU. This
times ``TransNetV2Cuts.probabilities`` (area-resize to 48x27 on the CPU, the authors' 100/50
windows, batched through the network) on a clip of noise the size of the real sample (the
network's cost does not depend on what the frames show), first on one CPU core, then on the GPU,
in the same run. The cost target of the shot-detection issue compares it with the pose stage's
frames/s, which ``shot_detection.py`` measures on one core (12.7 frames/s on the project's 2-core
machine, where TransNetV2 ran at 25 frames/s): the ratio is printed against that figure as
measured, and against it scaled by how much faster this machine's core runs TransNetV2 itself.

    python benchmarks/transnet_device.py [--frames 150] [--pose-fps 12.7] [--reference-cpu-fps 25]
"""

from __future__ import annotations

import argparse
import os
import time

import cv2
import numpy as np
import torch

from vivid_data.quality.transnet import TransNetV2Cuts, network_input


def frames_per_second(cuts: TransNetV2Cuts, clip: np.ndarray, repeats: int) -> float:
    cuts.probabilities(clip)  # warm-up: kernels chosen, weights in place
    started = time.perf_counter()
    for _ in range(repeats):
        cuts.probabilities(clip)  # ends in a copy to the host, so the GPU has finished
    return repeats * len(clip) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--height", type=int, default=832)
    parser.add_argument("--width", type=int, default=624)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pose-fps", type=float, default=12.7, help="the pose stage's frames/s (shot_detection.py)")
    parser.add_argument(
        "--reference-cpu-fps", type=float, default=25.0, help="TransNetV2 frames/s on the core pose-fps was measured on"
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # a worker declaring 1 CPU (and a GPU)
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    clip = np.random.default_rng(0).integers(0, 256, (args.frames, args.height, args.width, 3), dtype=np.uint8)

    started = time.perf_counter()
    network_input(clip)
    prepare_fps = len(clip) / (time.perf_counter() - started)
    cpu_fps = frames_per_second(TransNetV2Cuts(device="cpu"), clip, max(1, args.repeats // 2))
    print(
        f"{args.frames} frames of {args.width}x{args.height}; one CPU core: input preparation alone "
        f"{prepare_fps:.0f} frames/s, TransNetV2 {cpu_fps:.1f} frames/s"
    )
    scaled_pose_fps = args.pose_fps * cpu_fps / args.reference_cpu_fps
    print(
        f"  cost / pose stage's: {args.pose_fps / cpu_fps:.3f} against {args.pose_fps} pose frames/s as measured, "
        f"{scaled_pose_fps / cpu_fps:.3f} against {scaled_pose_fps:.1f} scaled to this core (target < 0.25)"
    )
    if not torch.cuda.is_available():
        print("no GPU here: the GPU figures need one (clean.cut_device=cuda)")
        return
    gpu = TransNetV2Cuts(device="cuda")
    gpu_fps = frames_per_second(gpu, clip, args.repeats)
    cpu_probabilities = TransNetV2Cuts(device="cpu").probabilities(clip[:60])
    difference = np.abs(gpu.probabilities(clip[:60]) - cpu_probabilities).max()
    print(
        f"{torch.cuda.get_device_name()} (the CPU part on one core): TransNetV2 {gpu_fps:.0f} frames/s = "
        f"{gpu_fps / cpu_fps:.0f}x the CPU core; largest probability difference from the CPU {difference:.1e}"
    )
    print(
        f"  cost / pose stage's: {args.pose_fps / gpu_fps:.4f} against {args.pose_fps} pose frames/s as measured, "
        f"{scaled_pose_fps / gpu_fps:.4f} against {scaled_pose_fps:.1f} scaled to this core (target < 0.25)"
    )


if __name__ == "__main__":
    main()
