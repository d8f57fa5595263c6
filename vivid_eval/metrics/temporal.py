"""Temporal consistency: VBench temporal flickering and the warping error of Lai et al. (ECCV 2018).

Warping error: optical flow is computed on the reference video (OpenCV Farneback, since RAFT
weights cannot be assumed); pixels are trusted where the forward and backward flows agree and
no motion boundary lies, ``|Ffw + Fbw'|^2 > 0.01 (|Ffw|^2 + |Fbw'|^2) + 0.5`` or
``|grad Fbw'|^2 > 0.01 |Fbw'|^2 + 0.002`` marking the others (``Fbw'`` is the backward flow
sampled along the forward flow). Per frame pair, ``sum(M * (W(O_{t+1}) - O_t)^2) / sum(M)``
with RGB in [0, 1], summed over channels; the video's value is the mean over pairs.
"""

from __future__ import annotations

import cv2
import numpy as np


def temporal_flicker(frames: np.ndarray) -> float:
    """VBench: ``(255 - mean over t of mean |f_t - f_{t+1}|) / 255`` on uint8 frames (higher = steadier)."""
    if len(frames) < 2:
        raise ValueError("temporal flicker needs at least two frames")
    diffs = [np.abs(a.astype(np.int16) - b.astype(np.int16)).mean() for a, b in zip(frames[:-1], frames[1:])]
    return float((255.0 - np.mean(diffs)) / 255.0)


def farneback_flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense flow (H, W, 2) from frame a to frame b (uint8 RGB)."""
    grey_a = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
    grey_b = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
    return cv2.calcOpticalFlowFarneback(grey_a, grey_b, None, pyr_scale=0.5, levels=4, winsize=15, iterations=3,
                                        poly_n=5, poly_sigma=1.2, flags=0)


def warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``image`` at x + flow(x), bilinear, borders replicated."""
    h, w = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(image, grid_x + flow[..., 0], grid_y + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def occlusion_mask(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """True where a pixel is occluded or on a motion boundary (not to be scored)."""
    backward_warped = warp(backward, forward)
    sum_sq = ((forward + backward_warped) ** 2).sum(-1)
    mag_sq = (forward**2).sum(-1) + (backward_warped**2).sum(-1)
    occluded = sum_sq > 0.01 * mag_sq + 0.5
    du_y, du_x = np.gradient(backward_warped[..., 0])
    dv_y, dv_x = np.gradient(backward_warped[..., 1])
    boundary = (du_x**2 + du_y**2 + dv_x**2 + dv_y**2) > 0.01 * (backward_warped**2).sum(-1) + 0.002
    return occluded | boundary


def reference_flows(reference: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(trusted-pixel mask, forward flow) per consecutive pair of the reference video."""
    out = []
    for a, b in zip(reference[:-1], reference[1:]):
        forward, backward = farneback_flow(a, b), farneback_flow(b, a)
        out.append((~occlusion_mask(forward, backward), forward))
    return out


def warping_error(output: np.ndarray, flows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, np.ndarray]:
    """Mean warping error of ``output`` (uint8 RGB frames) under the reference's flows, and per pair."""
    if len(flows) != len(output) - 1:
        raise ValueError(f"{len(flows)} flows for {len(output)} frames")
    values = []
    for t, (mask, forward) in enumerate(flows):
        current = output[t].astype(np.float32) / 255
        following = output[t + 1].astype(np.float32) / 255
        squared = ((warp(following, forward) - current) ** 2).sum(-1)
        trusted = mask.sum()
        values.append(float((squared * mask).sum() / trusted) if trusted else 0.0)
    return float(np.mean(values)), np.asarray(values)
