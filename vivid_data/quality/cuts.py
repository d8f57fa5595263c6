"""Hard scene cuts from frame-to-frame colour change.

The score of frame t is the mean absolute change of hue, saturation and value from frame t-1
(0-255 scale), as PySceneDetect's content detector computes it. A cut needs both an absolute
score (``threshold``) and a jump well above the clip's typical motion (``ratio`` times the
median score), so fast camera motion does not read as a cut. We do not depend on PySceneDetect
itself: its package pulls ``opencv-python``, which clashes with mediapipe's ``opencv-contrib-python``.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np


def content_scores(frames: np.ndarray) -> np.ndarray:
    """Scores for frames 1..T-1 of uint8 RGB frames (T, H, W, 3); best on small frames."""
    if len(frames) < 2:
        return np.zeros(0)
    hsv = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2HSV_FULL) for f in frames]).astype(np.int16)
    delta = np.abs(np.diff(hsv, axis=0))
    hue = np.minimum(delta[..., 0], 256 - delta[..., 0])  # hue wraps around
    return (hue.mean(axis=(1, 2)) + delta[..., 1].mean(axis=(1, 2)) + delta[..., 2].mean(axis=(1, 2))) / 3.0


def detect_cuts(
    frames: np.ndarray, threshold: float = 27.0, ratio: float = 4.0, min_scene_frames: int = 4
) -> list[int]:
    """Frame indices where a new shot starts (never 0), at least ``min_scene_frames`` apart."""
    return cuts_from_scores(content_scores(frames), threshold, ratio, min_scene_frames)


def cuts_from_scores(
    scores: np.ndarray, threshold: float = 27.0, ratio: float = 4.0, min_scene_frames: int = 4
) -> list[int]:
    """``detect_cuts`` on scores already computed by ``content_scores``."""
    if scores.size == 0:
        return []
    typical = float(np.median(scores))
    cuts: list[int] = []
    for offset, score in enumerate(scores, start=1):
        strong = score >= threshold and score >= ratio * max(typical, 1.0)
        if strong and (not cuts or offset - cuts[-1] >= min_scene_frames):
            cuts.append(offset)
    return cuts


def segments_between(cuts: list[int], num_frames: int) -> list[tuple[int, int]]:
    """[start, end) frame ranges of the shots delimited by ``cuts``."""
    bounds = [0, *cuts, num_frames]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def segments_around(transitions: list[tuple[int, int]], num_frames: int) -> list[tuple[int, int]]:
    """[start, end) shots between transitions given as [start, end) frame runs.

    A one-frame run is a hard cut (the last frame of the old shot, which it keeps); the frames
    of a longer run (a dissolve or a fade: two shots blended) belong to no shot.
    """
    shots, start = [], 0
    for first, end in sorted(transitions):
        last_of_shot = first + 1 if end - first <= 1 else first
        if last_of_shot > start:
            shots.append((start, min(last_of_shot, num_frames)))
        start = max(start, end)
    if num_frames > start:
        shots.append((start, num_frames))
    return shots
