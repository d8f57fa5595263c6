"""VFID: Frechet distance between the feature distributions of prediction and reference clips."""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
import torch

from vivid_eval.metrics.frechet import frechet_distance_of
from vivid_eval.protocols import Protocol, clip_windows, prepare_clip

FeatureFn = Callable[[torch.Tensor], torch.Tensor]  # (N, 3, T, H, W) -> (N, D)


def video_clip_features(frames: np.ndarray, protocol: Protocol, features: FeatureFn, batch: int = 4) -> np.ndarray:
    """Features (clips, D) of one video's clips under ``protocol``; frames are uint8 RGB (T, H, W, 3)."""
    windows = clip_windows(len(frames), protocol)
    out = []
    with torch.inference_mode():
        for i in range(0, len(windows), batch):
            clips = torch.stack([prepare_clip(frames[w], protocol) for w in windows[i:i + batch]])
            out.append(features(clips).double().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 0))


def vfid(predictions: Iterable[np.ndarray], references: Iterable[np.ndarray], protocol: Protocol,
         features: FeatureFn) -> tuple[float, dict]:
    """VFID over paired or unpaired sets of videos, with the clip counts it used."""
    pred = [f for v in predictions if len(f := video_clip_features(v, protocol, features))]
    ref = [f for v in references if len(f := video_clip_features(v, protocol, features))]
    if not pred or not ref:
        raise ValueError(f"no video has {protocol.clip_len} frames: VFID needs at least one clip per side")
    a, b = np.concatenate(pred), np.concatenate(ref)
    return frechet_distance_of(a, b), {"prediction_clips": len(a), "reference_clips": len(b), "protocol": protocol.id}
