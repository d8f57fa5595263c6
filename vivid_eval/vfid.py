"""VFID: Frechet distance between the feature distributions of prediction and reference clips."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch

from vivid_data.atomic import atomic_write_bytes
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


@dataclass(frozen=True)
class ClipFeatures:
    """Per-clip features of a run with the video each clip came from (what a VFID bootstrap resamples)."""

    videos: np.ndarray               # (V,) sample ids
    prediction: np.ndarray           # (Np, D)
    prediction_video: np.ndarray     # (Np,) index into videos
    reference: np.ndarray            # (Nr, D)
    reference_video: np.ndarray      # (Nr,)

    def of(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Prediction and reference clips of the videos at ``indices`` (repeats allowed: a bootstrap draw)."""
        pick = lambda owner, rows: np.concatenate([rows[owner == i] for i in indices])  # noqa: E731
        return pick(self.prediction_video, self.prediction), pick(self.reference_video, self.reference)


def save_clip_features(path: Path, sample_ids: list[str], prediction: list[np.ndarray],
                       reference: list[np.ndarray]) -> Path:
    """``features/<metric>.npz`` beside a result: float32 clips and their video indices (atomic)."""
    owner = lambda sets: np.concatenate([np.full(len(s), i) for i, s in enumerate(sets)]).astype(np.int32)  # noqa: E731
    buffer = io.BytesIO()
    np.savez_compressed(buffer, videos=np.asarray(sample_ids), prediction=np.concatenate(prediction).astype(np.float32),
                        prediction_video=owner(prediction), reference=np.concatenate(reference).astype(np.float32),
                        reference_video=owner(reference))
    return atomic_write_bytes(path, buffer.getvalue())


def load_clip_features(path: Path) -> ClipFeatures:
    with np.load(path, allow_pickle=False) as data:
        return ClipFeatures(data["videos"].astype(str), data["prediction"], data["prediction_video"], data["reference"],
                            data["reference_video"])
