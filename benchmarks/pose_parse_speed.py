"""Pose and parse speed on the real sample, on one core: frames per second and parse/pose ratio.

Target (issue: pose-annotate and parse): parse at most 0.5x the time of pose.

    python benchmarks/pose_parse_speed.py [--samples ../shared/samples/vivid_examples] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import cv2

from vivid_data.parse.agnostic import agnostic_frames, video_masks
from vivid_data.parse.garment_mask import garment_mask
from vivid_data.pose.mediapipe_backend import MediapipePose
from vivid_data.pose.smoothing import fill_gaps, smooth_tracks
from vivid_data.video import decode_video, encode_mask_video, encode_video, read_image

REPO = Path(__file__).resolve().parents[1]


def best_of(repeat: int, fn):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=REPO.parent / "shared" / "samples" / "vivid_examples")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core for everything below
    cv2.setNumThreads(1)
    frames = decode_video(args.samples / "videos" / "upper1.mp4")
    garment = read_image(args.samples / "cloth" / "00057_00.jpg")
    count = len(frames)
    print(f"real sample: {count} frames of {frames.shape[2]}x{frames.shape[1]}, one core")

    results = {}
    for name, backend in (
        ("pose, one pass", MediapipePose(bidirectional=False)),
        ("pose, both directions (default)", MediapipePose()),
    ):
        seconds, track = best_of(args.repeat, lambda backend=backend: backend(frames))
        results[name] = seconds
        print(f"{name:34s} {seconds:6.2f} s  {count / seconds:6.1f} frames/s")

    def parse():
        keypoints, detected = fill_gaps(track.keypoints, track.detected, 4)
        keypoints = smooth_tracks(keypoints, detected)
        masks = video_masks(keypoints, detected, track.person_masks, "upper_body", track.height, track.width)
        encode_mask_video(masks, fps=24)
        encode_video(agnostic_frames(frames, masks), fps=24, preset="veryfast", reproducible=True)
        garment_mask(garment)

    seconds, _ = best_of(args.repeat, parse)
    print(f"{'parse (masks, videos, garment)':34s} {seconds:6.2f} s  {count / seconds:6.1f} frames/s")
    pose = results["pose, both directions (default)"]
    print(
        f"parse / pose time: {seconds / pose:.2f} (target <= 0.5); "
        f"against one-pass pose: {seconds / results['pose, one pass']:.2f}"
    )


if __name__ == "__main__":
    main()
