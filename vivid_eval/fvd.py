"""FVD as the newest try-on papers compute it: content-debiased FVD with VideoMAE-v2 features, and
the classic I3D FVD from the same reference code.

cd-FVD (Ge et al., CVPR 2024; its reference code is the ``cd-fvd`` package) takes each clip as
16 RGB frames resized to 224x224 by bilinear interpolation (``align_corners=False``, no
antialiasing, no aspect kept). ``videomae``: frames in [0, 1] without mean/std normalisation
through VideoMAE-v2 ViT-g/14 fine-tuned on SSv2, the layer-normed mean token (1408-d). ``i3d``:
frames in [-1, 1] through Inception-I3D (Kinetics-400, the piergiaj layout), the 400 logits
after its 2x7x7 average pool, averaged over time. The Frechet distance uses the feature mean and
the covariance divided by N (not N - 1). Here every video contributes
its non-overlapping 16-frame clips from frame 0 (a ViViD-S window of 64 frames gives 4 clips;
a remainder shorter than a clip is dropped; a video shorter than 16 frames contributes none and
is named in ``skipped_videos``). Everything else (clip order, the saved clip features, the
paired bootstrap on the leaderboard) is VFID's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from vivid_eval.protocols import Protocol
from vivid_eval.vfid import VFID, FeatureFn

CLIP_FRAMES = 16
SIZE = 224
NETWORKS = {"videomae": "videomae_v2_g_ssv2", "i3d": "i3d_pretrained_400"}
#: the value range each network takes its frames in (cd-fvd's preprocess_videomae / preprocess_i3d)
VALUE_RANGES = {"videomae": (0.0, 1.0), "i3d": (-1.0, 1.0)}
LABELS = {"videomae": "FVD (VideoMAE-v2)", "i3d": "FVD (I3D)"}
#: cd-fvd's InceptionI3d (TATS's copy of piergiaj's) builds its batch norms with eps 1e-5, not 1e-3
CD_FVD_I3D_BN_EPS = 1e-5


def fvd_clips(
    frames: np.ndarray, clip_frames: int = CLIP_FRAMES, size: int = SIZE, value_range=(0.0, 1.0)
) -> torch.Tensor:
    """(clips, 3, clip_frames, size, size) float32 in ``value_range`` from uint8 (T, H, W, 3) frames."""
    count = len(frames) // clip_frames
    if count == 0:
        return torch.zeros((0, 3, clip_frames, size, size))
    video = torch.from_numpy(np.ascontiguousarray(frames[: count * clip_frames])).permute(0, 3, 1, 2).float() / 255
    resized = F.interpolate(video, size=(size, size), mode="bilinear", align_corners=False, antialias=False)
    low, high = value_range
    if (low, high) != (0.0, 1.0):
        resized = resized * (high - low) + low
    return resized.reshape(count, clip_frames, 3, size, size).permute(0, 2, 1, 3, 4).contiguous()


class FVD(VFID):
    """Frechet Video Distance on VideoMAE-v2 (``network="videomae"``) or I3D logits (``"i3d"``), cd-FVD's
    computation.

    ``features`` replaces the network by any (N, 3, 16, 224, 224) -> (N, D) function (tests).
    The protocol does not change FVD: its clip length, size and sampling are fixed above.
    """

    label = "FVD (VideoMAE-v2)"
    ddof = 0
    protocol_fields: tuple[str, ...] = ()  # type: ignore[assignment]

    def __init__(
        self, network: str = "videomae", protocol: Protocol | None = None, features: FeatureFn | None = None, **kwargs
    ) -> None:
        if network not in NETWORKS:
            raise ValueError(f"FVD network must be one of {tuple(NETWORKS)}, got {network!r}")
        super().__init__("i3d", protocol, features, **kwargs)
        self.network = network
        self.name = f"fvd_{network}"
        self.label = LABELS[network]

    def weights_name(self) -> str:
        return NETWORKS[self.network]

    @property
    def clip_len(self) -> int:
        return CLIP_FRAMES

    def load_features(self, path, device: str) -> FeatureFn:
        from vivid_eval.networks.checkpoints import load_i3d, load_videomae

        if self.network == "videomae":
            videomae = load_videomae(path).to(device)
            return lambda clips: videomae.features(clips.to(device))
        # cd-fvd's I3D (TATS's copy) normalises with eps 1e-5, piergiaj's with 1e-3; its output is the logits
        # after the 2x7x7 pool, averaged over time
        i3d = load_i3d(path, bn_eps=CD_FVD_I3D_BN_EPS).to(device)
        return lambda clips: i3d(clips.to(device))

    def video_features(self, frames: np.ndarray) -> np.ndarray:
        assert self.features is not None, "setup() sets the feature function"
        clips = fvd_clips(frames, value_range=VALUE_RANGES[self.network])
        out = []
        with torch.inference_mode():
            for i in range(0, len(clips), self.batch):
                out.append(self.features(clips[i : i + self.batch]).double().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 0))

    def result(self) -> dict[str, Any]:
        result = super().result()
        result["covariance"] = "divided by N (cd-FVD)"
        result["clip_allocation"] = f"non-overlapping {CLIP_FRAMES}-frame clips from frame 0"
        result["clip_order"] = "every clip of every video"
        return result

    def describe(self) -> dict:
        networks = {
            "videomae": "VideoMAE-v2 ViT-g/14 (SSv2 fine-tuned), mean token after fc_norm",
            "i3d": "Inception-I3D (Kinetics-400), logits after the 2x7x7 average pool, mean over time",
        }
        low, high = VALUE_RANGES[self.network]
        return {
            "network": networks[self.network],
            "weights_sha256": self.weight_hash,
            "clip_frames": CLIP_FRAMES,
            "size": f"{SIZE}x{SIZE} bilinear, align_corners=False, no antialias, no aspect",
            "value_range": f"[{low:g}, {high:g}] RGB, no normalisation",
            "clips": f"non-overlapping {CLIP_FRAMES}-frame clips from frame 0",
            "covariance": "divided by N",
            "reference_code": f"cd-fvd 0.1.1 (cdfvd.fvd.cdfvd, model={self.network!r})",
        }
