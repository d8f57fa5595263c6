"""Context windows for videos longer than the motion modules' window.

The windows themselves are :func:`vivid_data.windows.context_windows` (the published ``uniform``
schedule; the evaluator's seam metric reads the same definition). Predictions of
overlapping windows are averaged per frame, except that the published pipeline divides by the
count only under classifier-free guidance: with guidance off (scale <= 1) it returns the sum, so
frames covered by two windows get twice the prediction (``average=False`` reproduces that).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from vivid_data.windows import context_windows

__all__ = ["blend_windows", "context_windows"]


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
