"""Side-by-side strips for reports: reference | prediction | absolute difference, a few frames each.

Written by ``vivid-eval`` for the first videos by sample id, so that every method evaluated on
the same references shows the same videos and frames. The difference row is amplified (x4,
clipped) because raw differences of a good prediction are too dark to see; the caption says so.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vivid_data.atomic import atomic_write_bytes

DIFFERENCE_GAIN = 4
FRAMES = 4
MAX_WIDTH = 96  # per frame in the strip: a thumbnail (the HTML report embeds every strip)
JPEG_QUALITY = 80


def strip_frame_indices(length: int, count: int = FRAMES) -> list[int]:
    """Evenly spaced frames including the first and the last."""
    return sorted({round(i * (length - 1) / max(1, count - 1)) for i in range(count)})


def make_strip(reference: np.ndarray, prediction: np.ndarray, count: int = FRAMES) -> np.ndarray:
    """(3 rows x count frames) uint8 RGB image: reference, prediction, |difference| x DIFFERENCE_GAIN."""
    if reference.shape != prediction.shape:
        raise ValueError(f"shape mismatch: {reference.shape} vs {prediction.shape}")
    picked = strip_frame_indices(len(reference), count)
    h, w = reference.shape[1:3]
    scale = min(1.0, MAX_WIDTH / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))

    def shrink(frame: np.ndarray) -> np.ndarray:
        return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)

    def difference(t: int) -> np.ndarray:
        gained = cv2.absdiff(reference[t], prediction[t]).astype(np.int32) * DIFFERENCE_GAIN
        return np.clip(gained, 0, 255).astype(np.uint8)

    rows = [
        np.concatenate([shrink(source(t)) for t in picked], axis=1)
        for source in (lambda t: reference[t], lambda t: prediction[t], difference)
    ]
    return np.concatenate(rows, axis=0)


def write_strip(path: Path, reference: np.ndarray, prediction: np.ndarray) -> Path:
    """A small JPEG thumbnail strip (a few kB), so that a report with many strips stays light."""
    ok, encoded = cv2.imencode(
        ".jpg",
        cv2.cvtColor(make_strip(reference, prediction), cv2.COLOR_RGB2BGR),
        [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY],
    )
    if not ok:
        raise ValueError(f"{path}: JPEG encoding failed")
    atomic_write_bytes(path, encoded.tobytes())
    return path
