"""Per-video and per-image quality scores, all on fixed working sizes so thresholds transfer."""

from __future__ import annotations

import cv2
import numpy as np

HASH_FRAMES = 8


def motion_score(frames: np.ndarray) -> float:
    """Mean absolute grey-level change between consecutive frames (0-255); near 0 for a still video."""
    if len(frames) < 2:
        return 0.0
    grey = frames.astype(np.float32).mean(axis=-1)
    return float(np.abs(np.diff(grey, axis=0)).mean())


def sharpness(frame: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image: low for blurred frames."""
    grey = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def contrast(image: np.ndarray, size: int = 128) -> float:
    """Standard deviation of grey levels (0-255) at a working size: near 0 for a blank or uniform image."""
    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    scale = size / max(grey.shape)
    if scale < 1:
        grey = cv2.resize(
            grey,
            (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale))),
            interpolation=cv2.INTER_AREA,
        )
    return float(grey.std())


def dhash(image: np.ndarray) -> int:
    """64-bit difference hash: robust to re-encoding and resizing, different for different content."""
    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int(sum(1 << i for i, bit in enumerate(bits) if bit))


def hamming(a: int, b: int) -> int:
    return int(bin(a ^ b).count("1"))


def video_hashes(frames: np.ndarray, count: int = HASH_FRAMES) -> list[int]:
    """dHashes of ``count`` frames spread evenly over the clip (by relative position)."""
    picks = np.linspace(0, len(frames) - 1, num=min(count, len(frames))).round().astype(int)
    return [dhash(frames[i]) for i in picks]


def video_hash_distance(a: list[int], b: list[int]) -> float:
    """Mean Hamming distance of hashes at the same relative positions (0 = same content)."""
    if not a or not b:
        return 64.0
    if len(a) != len(b):
        pick = np.linspace(0, len(b) - 1, num=len(a)).round().astype(int)
        b = [b[i] for i in pick]
    return float(np.mean([hamming(x, y) for x, y in zip(a, b)]))


def thumbnail(image: np.ndarray, side: int = 16) -> np.ndarray:
    """A side x side RGB thumbnail (uint8): colour and layout at a glance, for duplicate checks."""
    return cv2.resize(np.ascontiguousarray(image), (side, side), interpolation=cv2.INTER_AREA)


def plain_background_ratio(image: np.ndarray, band: float = 0.05, tolerance: float = 24.0) -> float:
    """Fraction of the image border close to the border's median colour (product shots: near 1)."""
    h, w = image.shape[:2]
    b = max(1, int(round(min(h, w) * band)))
    border = np.concatenate(
        [image[:b].reshape(-1, 3), image[-b:].reshape(-1, 3), image[:, :b].reshape(-1, 3), image[:, -b:].reshape(-1, 3)]
    ).astype(np.float32)
    median = np.median(border, axis=0)
    return float((np.abs(border - median).max(axis=1) <= tolerance).mean())
