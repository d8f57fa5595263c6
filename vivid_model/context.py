"""Context windows for videos longer than the motion modules' window.

The published pipeline (``uniform`` schedule at step 0, stride 1) starts windows every
``size - overlap`` frames from frame 0 and wraps around the end (closed loop): for 48 frames,
size 24 and overlap 4 the windows start at 0, 20 and 40, the last one being frames 40-47 and
0-15. ``closed_loop=False`` instead ends the last window on the last frame. Predictions of
overlapping windows are averaged per frame, except that the published pipeline divides by the
count only under classifier-free guidance: with guidance off (scale <= 1) it returns the sum, so
frames covered by two windows get twice the prediction (``average=False`` reproduces that).
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def context_windows(num_frames: int, size: int = 24, overlap: int = 4, closed_loop: bool = True) -> list[list[int]]:
    if num_frames < 1 or size < 1 or not 0 <= overlap < size:
        raise ValueError(
            f"need num_frames >= 1, size >= 1 and 0 <= overlap < size; got {num_frames}, {size}, {overlap}"
        )
    if num_frames <= size:
        return [list(range(num_frames))]
    stride = size - overlap
    if closed_loop:
        return [[j % num_frames for j in range(start, start + size)] for start in range(0, num_frames, stride)]
    starts = list(range(0, num_frames - size + 1, stride))
    if starts[-1] + size < num_frames:
        starts.append(num_frames - size)
    return [list(range(start, start + size)) for start in starts]


def blend_windows(
    predict: Callable[[list[int]], torch.Tensor], num_frames: int, windows: list[list[int]], average: bool = True
) -> torch.Tensor:
    """Average (or, ``average=False``, sum) ``predict(window)`` (B, C, len(window), ...) over the windows
    covering each frame."""
    total: torch.Tensor | None = None
    counts: torch.Tensor | None = None
    for window in windows:
        part = predict(window)
        if total is None or counts is None:
            total = torch.zeros((*part.shape[:2], num_frames, *part.shape[3:]), dtype=part.dtype, device=part.device)
            counts = torch.zeros((1, 1, num_frames) + (1,) * (part.dim() - 3), dtype=part.dtype, device=part.device)
        total[:, :, window] += part
        counts[:, :, window] += 1
    if total is None or counts is None or (counts == 0).any():
        raise ValueError("the windows do not cover every frame")
    return total / counts if average else total
