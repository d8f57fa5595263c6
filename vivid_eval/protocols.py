"""Evaluation protocols: everything that changes a VFID number, named, versioned and recorded.

``vivid_v1`` is ours: RGB frames, every non-overlapping window of ``clip_len`` frames of every
video, an explicit antialiased resize. ``catv2ton_compat`` reproduces the convention behind the
published VFID tables (CatV2TON's ``eval_video_metrics.py`` and its ``modules/fid_metrics``,
also used by MagicTryOn): frames left in BGR order, 224x224 tensor resize without antialiasing
(what torchvision < 0.17 did; the same script under a current torchvision antialiases and gives
other numbers), and its ``VideoDataset``'s clip allocation (:func:`catv2ton_clip_counts`): the
set has ``sum(frames) // clip_len`` clips, given to the videos by cumulative frame totals in the
folder's listing order, so the first video gets one clip more and the last one fewer than its
own windows, and through the loader's frame-offset bug every clip is frames 0-9 of its video.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

WINDOWS = ("all", "catv2ton")


@dataclass(frozen=True)
class Protocol:
    id: str
    version: int
    colour: str = "rgb"  # rgb | bgr: channel order fed to the feature networks
    clip_len: int = 10
    windows: str = "all"  # all: every non-overlapping window; catv2ton: CatV2TON's set-level allocation
    size: tuple[int, int] = (224, 224)
    antialias: bool = True
    value_range: tuple[float, float] = (-1.0, 1.0)

    def __post_init__(self) -> None:
        if self.colour not in ("rgb", "bgr"):
            raise ValueError(f"protocol {self.id}: colour must be rgb or bgr")
        if self.windows not in WINDOWS:
            raise ValueError(f"protocol {self.id}: windows must be one of {WINDOWS}")

    def record(self) -> dict:
        return asdict(self)


VIVID_V1 = Protocol("vivid_v1", 1)
CATV2TON_COMPAT = Protocol("catv2ton_compat", 2, colour="bgr", windows="catv2ton", antialias=False)
PROTOCOLS = {p.id: p for p in (VIVID_V1, CATV2TON_COMPAT)}


def protocol_named(id: str, **overrides) -> Protocol:
    """The one definition of each protocol (Hydra's ``protocol`` group selects by id)."""
    if id not in PROTOCOLS:
        from difflib import get_close_matches

        close = get_close_matches(id, PROTOCOLS, n=1)
        raise ValueError(
            f"unknown protocol {id!r}; known: {', '.join(PROTOCOLS)}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
        )
    if overrides:
        raise ValueError(f"protocol {id}: its fields are fixed ({', '.join(overrides)} given); define a new protocol")
    return PROTOCOLS[id]


def clip_windows(num_frames: int, protocol: Protocol) -> list[list[int]]:
    """Frame indices of each clip of one video under ``windows=all`` (none when shorter than one clip);
    under ``catv2ton`` every clip is frames 0..clip_len-1 and how many a video gets depends on the set."""
    count = num_frames // protocol.clip_len
    if protocol.windows == "catv2ton":
        return [list(range(protocol.clip_len))] * min(count, 1)
    return [list(range(i * protocol.clip_len, (i + 1) * protocol.clip_len)) for i in range(count)]


def catv2ton_clip_counts(frame_counts: list[int], clip_len: int = 10) -> list[int]:
    """How many clips CatV2TON's ``VideoDataset`` reads from each video, the videos in its listing order.

    It keeps the running total ``acc[k] = (n_0 + ... + n_k) // clip_len``, has ``acc[-1]`` clips
    and gives clip ``i`` to the first video k with ``acc[k] >= i`` (``bisect_left``). Videos of
    23, 31 and 64 frames: acc = 2, 5, 11 -> 3, 3 and 5 clips (their own windows: 2, 3, 6).
    """
    accumulated, total = [], 0
    for count in frame_counts:
        total += int(count)
        accumulated.append(total // clip_len)
    counts = [0] * len(frame_counts)
    for index in range(accumulated[-1] if accumulated else 0):
        counts[bisect.bisect_left(accumulated, index)] += 1
    return counts


def prepare_clip(frames: np.ndarray, protocol: Protocol) -> torch.Tensor:
    """uint8 RGB frames (T, H, W, 3) -> (3, T, h, w) float as the protocol feeds the network."""
    array = frames[..., ::-1] if protocol.colour == "bgr" else frames
    clip = torch.from_numpy(np.ascontiguousarray(array)).permute(0, 3, 1, 2).float() / 255.0
    clip = F.interpolate(clip, size=protocol.size, mode="bilinear", align_corners=False, antialias=protocol.antialias)
    low, high = protocol.value_range
    return (clip * (high - low) + low).permute(1, 0, 2, 3).contiguous()
