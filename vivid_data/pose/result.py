"""What a pose backend returns for a video, and how it is saved (keypoints.npz)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from vivid_data.pose.skeleton import SKELETONS, Skeleton


def mask_size(height: int, width: int, mask_height: int) -> tuple[int, int]:
    """(h, w) at which person masks are kept: ``mask_height`` rows at the frame's aspect, never larger."""
    if height <= mask_height:
        return height, width
    return mask_height, max(1, int(round(width * mask_height / height)))


def upscale_mask(mask: np.ndarray, height: int, width: int) -> np.ndarray:
    """A small bool mask at (height, width): linear interpolation of 0/255 and a 0.5 threshold (smooth edges)."""
    if mask.shape == (height, width):
        return mask.astype(bool)
    import cv2

    return cv2.resize(mask.astype(np.uint8) * 255, (width, height), interpolation=cv2.INTER_LINEAR) > 127


@dataclass
class PoseTrack:
    """``keypoints`` (T, K, 3): x and y in pixels of the ``height`` x ``width`` frames, visibility in [0, 1];
    ``detected`` (T,) bool; ``person_masks`` (T, h, w) bool at a working size (scale with
    :func:`upscale_mask`) or None; ``people`` (T,) int people seen per frame, -1 unknown."""

    keypoints: np.ndarray
    detected: np.ndarray
    skeleton: Skeleton
    height: int
    width: int
    person_masks: np.ndarray | None = None
    people: np.ndarray | None = None

    def to_npz(self, **extra: np.ndarray) -> bytes:
        arrays: dict[str, Any] = {
            "keypoints": self.keypoints.astype(np.float32),
            "detected": self.detected.astype(bool),
            "edges": np.asarray(self.skeleton.edges, np.int16),
            "names": np.asarray(self.skeleton.names),
            "skeleton": np.asarray(self.skeleton.name),
            "size": np.asarray([self.height, self.width], np.int32),
            **extra,
        }
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_npz(cls, data: bytes) -> PoseTrack:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            skeleton = SKELETONS[str(npz["skeleton"])]
            height, width = (int(v) for v in npz["size"])
            return cls(npz["keypoints"], npz["detected"], skeleton, height, width)
