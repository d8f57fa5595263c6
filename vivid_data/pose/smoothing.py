"""Keypoint tracks over time: fill short gaps, smooth jitter, and measure it."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.signal import savgol_filter


def fill_gaps(keypoints: np.ndarray, detected: np.ndarray, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Linearly interpolate frames without a detection when the gap is at most ``max_gap`` frames.

    ``keypoints`` is (T, K, 3); returns the filled array and the new detection flags. Gaps at
    the start or end, and longer gaps, stay empty (visibility 0).
    """
    filled = keypoints.copy()
    flags = detected.copy()
    frames = np.flatnonzero(detected)
    for a, b in itertools.pairwise(frames):
        gap = b - a - 1
        if 0 < gap <= max_gap:
            for t in range(a + 1, b):
                w = (t - a) / (b - a)
                filled[t] = (1 - w) * keypoints[a] + w * keypoints[b]
                flags[t] = True
    return filled, flags


def smooth_tracks(keypoints: np.ndarray, detected: np.ndarray, window: int = 7, order: int = 2) -> np.ndarray:
    """Savitzky-Golay smoothing of x and y along time, run separately over each detected stretch."""
    smoothed = keypoints.copy()
    frames = np.flatnonzero(detected)
    if frames.size == 0:
        return smoothed
    splits = np.flatnonzero(np.diff(frames) > 1) + 1
    for run in np.split(frames, splits):
        length = len(run)
        span = min(window, length if length % 2 else length - 1)
        if span > order + 1:
            block = keypoints[run[0] : run[-1] + 1, :, :2]
            smoothed[run[0] : run[-1] + 1, :, :2] = savgol_filter(block, span, order, axis=0, mode="interp")
    return smoothed


def jitter(keypoints: np.ndarray, detected: np.ndarray, min_visibility: float = 0.5) -> float:
    """Mean absolute second difference of visible keypoint positions (pixels per frame squared).

    Smooth motion has a small second difference; detector noise makes it large.
    """
    values = []
    for t in range(1, len(keypoints) - 1):
        if detected[t - 1] and detected[t] and detected[t + 1]:
            visible = (keypoints[t - 1 : t + 2, :, 2] >= min_visibility).all(axis=0)
            if visible.any():
                accel = keypoints[t + 1, visible, :2] - 2 * keypoints[t, visible, :2] + keypoints[t - 1, visible, :2]
                values.append(np.linalg.norm(accel, axis=-1).mean())
    return float(np.mean(values)) if values else 0.0
