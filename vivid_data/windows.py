"""Context windows: the frames a long video is generated in, window by window.

The published ViViD pipeline (``uniform`` schedule at step 0, stride 1) starts windows every
``size - overlap`` frames from frame 0 and wraps around the end (closed loop): for 48 frames,
size 24 and overlap 4 the windows start at 0, 20 and 40, the last one being frames 40-47 and
0-15. ``closed_loop=False`` instead ends the last window on the last frame. The reference model
generates in these windows and records them; the evaluator's seam metric reads them, so both
sides of the toolkit share this one definition.
"""

from __future__ import annotations


def context_windows(num_frames: int, size: int = 24, overlap: int = 4, closed_loop: bool = True) -> list[list[int]]:
    """The frame indices of each window, in generation order."""
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
