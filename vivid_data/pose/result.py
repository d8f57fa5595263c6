"""What a pose backend returns for a video, and how it is saved (keypoints.npz)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from vivid_data.pose.skeleton import SKELETONS, Skeleton


@dataclass
class PoseTrack:
    """``keypoints`` (T, K, 3): x and y in pixels, visibility in [0, 1]; ``detected`` (T,) bool;
    ``person_masks`` (T, H, W) bool or None; ``people`` (T,) int people seen per frame, -1 unknown."""

    keypoints: np.ndarray
    detected: np.ndarray
    skeleton: Skeleton
    height: int
    width: int
    person_masks: np.ndarray | None = None
    people: np.ndarray | None = None

    def to_npz(self, **extra: np.ndarray) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            keypoints=self.keypoints.astype(np.float32),
            detected=self.detected.astype(bool),
            edges=np.asarray(self.skeleton.edges, np.int16),
            names=np.asarray(self.skeleton.names),
            skeleton=np.asarray(self.skeleton.name),
            size=np.asarray([self.height, self.width], np.int32),
            **extra,
        )
        return buffer.getvalue()

    @classmethod
    def from_npz(cls, data: bytes) -> "PoseTrack":
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            skeleton = SKELETONS[str(npz["skeleton"])]
            height, width = (int(v) for v in npz["size"])
            return cls(npz["keypoints"], npz["detected"], skeleton, height, width)
