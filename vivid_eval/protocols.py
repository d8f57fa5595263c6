"""Evaluation protocols: everything that changes a VFID number, named, versioned and recorded.

``vivid_v1`` is ours: RGB frames, every non-overlapping window of ``clip_len`` frames, an
explicit antialiased resize. ``catv2ton_compat`` reproduces the convention behind the published
VFID tables (CatV2TON's ``eval_video_metrics.py``, also used by MagicTryOn): frames left in
BGR order, 224x224 tensor resize without antialiasing, and, through that script's frame-offset
bug, every 10-frame clip it reads is frames 0-9 of its video (one clip per window, all the same).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

WINDOWS = ("all", "first_repeated")


@dataclass(frozen=True)
class Protocol:
    id: str
    version: int
    colour: str = "rgb"            # rgb | bgr: channel order fed to the feature networks
    clip_len: int = 10
    windows: str = "all"           # all: every non-overlapping window; first_repeated: frames 0..clip_len-1, once per window
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
CATV2TON_COMPAT = Protocol("catv2ton_compat", 1, colour="bgr", windows="first_repeated", antialias=False)
PROTOCOLS = {p.id: p for p in (VIVID_V1, CATV2TON_COMPAT)}


def clip_windows(num_frames: int, protocol: Protocol) -> list[list[int]]:
    """Frame indices of each clip a video contributes (none when shorter than one clip)."""
    count = num_frames // protocol.clip_len
    if protocol.windows == "first_repeated":
        return [list(range(protocol.clip_len)) for _ in range(count)]
    return [list(range(i * protocol.clip_len, (i + 1) * protocol.clip_len)) for i in range(count)]


def prepare_clip(frames: np.ndarray, protocol: Protocol) -> torch.Tensor:
    """uint8 RGB frames (T, H, W, 3) -> (3, T, h, w) float as the protocol feeds the network."""
    array = frames[..., ::-1] if protocol.colour == "bgr" else frames
    clip = torch.from_numpy(np.ascontiguousarray(array)).permute(0, 3, 1, 2).float() / 255.0
    clip = F.interpolate(clip, size=protocol.size, mode="bilinear", align_corners=False, antialias=protocol.antialias)
    low, high = protocol.value_range
    return (clip * (high - low) + low).permute(1, 0, 2, 3).contiguous()
