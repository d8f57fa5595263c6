"""Where a reference's per-frame extras come from: its agnostic mask (the region metrics) and its
orientation labels (the per-view breakdown).

A reference's facts carry loaders under :data:`MASK_LOADER` and :data:`ORIENTATION_LOADER` (never
recorded in a summary); :class:`~vivid_eval.inputs.VideoPair` calls them and cuts the result to the
scored window. A built dataset gives both from its shards' ``agnostic_mask.mp4`` and ``keypoints.npz``;
a ViViD folder gives its ``agnostic_mask/`` videos; ``masks=FOLDER`` replaces either.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from vivid_data.shards.members import AGNOSTIC_MASK, KEYPOINTS

#: keys of a reference's facts holding loaders (not recorded): its agnostic mask video, its orientation codes
MASK_LOADER, ORIENTATION_LOADER = "_mask", "_orientation"


def mask_frames(frames: np.ndarray) -> np.ndarray:
    """(T, H, W) bool from a decoded mask video ((T, H, W, 3) uint8: > 127 is inside, as the shards store it)."""
    frames = np.asarray(frames)
    return (frames[..., 0] if frames.ndim == 4 else frames) > 127


def orientation_codes(sample: Any) -> np.ndarray | None:
    """A shard sample's per-frame orientation codes from its keypoints.npz (None without them)."""
    with np.load(io.BytesIO(sample.read(KEYPOINTS)), allow_pickle=False) as npz:
        return np.asarray(npz["orientation"]) if "orientation" in npz.files else None


def sample_loaders(sample: Any) -> dict[str, Callable[[], Any]]:
    """The mask and orientation loaders of a shard sample that has those members."""
    loaders: dict[str, Callable[[], Any]] = {}
    if sample.has(AGNOSTIC_MASK):
        loaders[MASK_LOADER] = partial(sample.video, AGNOSTIC_MASK)
    if sample.has(KEYPOINTS):
        loaders[ORIENTATION_LOADER] = partial(orientation_codes, sample)
    return loaders
