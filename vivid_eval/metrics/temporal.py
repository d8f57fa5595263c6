"""Temporal consistency: VBench temporal flickering and the warping error of Lai et al. (ECCV 2018).

Warping error: optical flow is computed on the reference video (``flow.py``: OpenCV DIS by
Farneback by default, since RAFT weights cannot be assumed); pixels are trusted where the forward and
backward flows agree and no motion boundary lies, ``|Ffw + Fbw'|^2 > 0.01 (|Ffw|^2 + |Fbw'|^2) + 0.5``
or ``|grad Fbw'|^2 > 0.01 |Fbw'|^2 + 0.002`` marking the others (``Fbw'`` is the backward flow
sampled along the forward flow). Per frame pair, ``sum(M * (W(O_{t+1}) - O_t)^2) / sum(M)``
with RGB in [0, 1], summed over channels; the video's value is the mean over pairs.
Frame pairs run in a thread pool (OpenCV and NumPy release the GIL on whole frames).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import cv2
import numpy as np

from vivid_eval.metrics.flow import FlowConfig, RaftFlow, pair_flows

WORKERS = 2


def temporal_flicker(frames: np.ndarray) -> float:
    """VBench: ``(255 - mean over t of mean |f_t - f_{t+1}|) / 255`` on uint8 frames (higher = steadier)."""
    if len(frames) < 2:
        raise ValueError("temporal flicker needs at least two frames")
    diffs = [cv2.absdiff(a, b).mean() for a, b in zip(frames[:-1], frames[1:])]
    return float((255.0 - np.mean(diffs)) / 255.0)


@lru_cache(maxsize=4)
def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return grid_x, grid_y


def warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``image`` at x + flow(x), bilinear, borders replicated."""
    grid_x, grid_y = _grid(*flow.shape[:2])
    return cv2.remap(image, grid_x + flow[..., 0], grid_y + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def _squared_gradient(channel: np.ndarray) -> np.ndarray:
    """``|grad c|^2`` with ``np.gradient``'s differences (central inside, one-sided at the edges), float32."""
    gx = np.empty_like(channel)
    gx[:, 1:-1] = (channel[:, 2:] - channel[:, :-2]) * 0.5
    gx[:, 0], gx[:, -1] = channel[:, 1] - channel[:, 0], channel[:, -1] - channel[:, -2]
    gy = np.empty_like(channel)
    gy[1:-1] = (channel[2:] - channel[:-2]) * 0.5
    gy[0], gy[-1] = channel[1] - channel[0], channel[-1] - channel[-2]
    return gx * gx + gy * gy


def occlusion_mask(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """True where a pixel is occluded or on a motion boundary (not to be scored).

    Channel-wise float32 arithmetic: four times faster than the vectorised form over the last
    axis and the same mask (tested against it).
    """
    back = warp(backward, forward)
    fx, fy, bx, by = forward[..., 0], forward[..., 1], back[..., 0], back[..., 1]
    sx, sy = fx + bx, fy + by
    back_sq = bx * bx + by * by
    occluded = sx * sx + sy * sy > 0.01 * (fx * fx + fy * fy + back_sq) + 0.5
    boundary = _squared_gradient(bx) + _squared_gradient(by) > 0.01 * back_sq + 0.002
    return occluded | boundary


def reference_flows(reference: np.ndarray, flow: FlowConfig = FlowConfig(),
                    raft: RaftFlow | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(trusted-pixel mask, forward flow) per consecutive pair of the reference video."""
    flows = pair_flows(reference, flow, raft)
    trusted = lambda fb: (~occlusion_mask(*fb), fb[0])  # noqa: E731
    with ThreadPoolExecutor(max(1, flow.workers)) as pool:
        return list(pool.map(trusted, flows))


def _pair_error(output: np.ndarray, t: int, mask: np.ndarray, forward: np.ndarray) -> float:
    current = output[t].astype(np.float32) / 255
    following = output[t + 1].astype(np.float32) / 255
    squared = ((warp(following, forward) - current) ** 2).sum(-1)
    trusted = mask.sum()
    return float((squared * mask).sum() / trusted) if trusted else 0.0


def warping_error(output: np.ndarray, flows: list[tuple[np.ndarray, np.ndarray]],
                  workers: int = WORKERS) -> tuple[float, np.ndarray]:
    """Mean warping error of ``output`` (uint8 RGB frames) under the reference's flows, and per pair."""
    if len(flows) != len(output) - 1:
        raise ValueError(f"{len(flows)} flows for {len(output)} frames")
    with ThreadPoolExecutor(max(1, workers)) as pool:
        values = list(pool.map(lambda t: _pair_error(output, t, *flows[t]), range(len(flows))))
    return float(np.mean(values)), np.asarray(values)
