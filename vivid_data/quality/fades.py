"""Fades from or to a flat colour at the ends of a clip: frames that belong to no shot.

A fade blends the shot with a flat colour, ``alpha * flat + (1 - alpha) * shot``: the frame's
contrast (standard deviation of its pixels) is ``1 - alpha`` of the shot's, rising frame by frame
during a fade-in from (nearly) nothing. Shot detectors see it poorly (TransNetV2 peaks at 0.42 on the
white fade-in of a ViViD clip, under its 0.5), and masks drawn on faded frames do not match the
person, so the clean stage trims them before pose and parse. A leading run counts as a fade-in when
its first frame has less than ``flat`` of the clip's typical contrast (the median over frames) and
the contrast then rises, never dipping more than ``tolerance``, until it reaches ``settled`` of it;
the frames before that one are trimmed. A fade-out is the same read backwards.
"""

from __future__ import annotations

import numpy as np

FLAT, SETTLED, TOLERANCE = 0.5, 0.95, 0.02


def contrast_ratios(frames: np.ndarray) -> np.ndarray:
    """Each frame's pixel standard deviation over the clip's median (uint8 RGB (T, H, W, 3), small frames)."""
    spread = frames.reshape(len(frames), -1).astype(np.float32).std(axis=1)
    typical = float(np.median(spread))
    return spread / typical if typical > 0 else np.ones(len(frames), np.float32)


def _leading(ratios: np.ndarray, flat: float, settled: float, tolerance: float) -> int:
    if len(ratios) == 0 or ratios[0] >= flat:
        return 0
    for t in range(1, len(ratios)):
        if ratios[t] >= settled:
            return t
        if ratios[t] < ratios[t - 1] - tolerance:  # not a fade: the contrast fell back
            return 0
    return 0  # never settles: the whole clip is dim, not faded


def fade_frames(
    frames: np.ndarray, flat: float = FLAT, settled: float = SETTLED, tolerance: float = TOLERANCE
) -> tuple[int, int]:
    """(frames of the fade-in at the start, frames of the fade-out at the end); (0, 0) without fades."""
    ratios = contrast_ratios(frames)
    lead = _leading(ratios, flat, settled, tolerance)
    tail = _leading(ratios[::-1], flat, settled, tolerance)
    if lead + tail >= len(frames):
        return 0, 0
    return lead, tail
