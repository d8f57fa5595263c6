"""VFID: Frechet distance between the feature distributions of prediction and reference clips.

:class:`VFID` is the metric: ``update(video, real=False)`` for predictions, ``real=True`` for
references (torchmetrics' FID convention), ``compute()`` the distance. Clips follow the
protocol: every window of every video (``vivid_v1``), or CatV2TON's allocation over the whole
set (``catv2ton_compat``: :func:`~vivid_eval.protocols.catv2ton_clip_counts`, every clip frames
0-9), which depends on the order the videos are listed in; the order used is recorded. A video
shorter than one clip contributes none and is named in ``skipped``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vivid_data.atomic import atomic_write_bytes
from vivid_eval.metrics.base import MetricUnavailable, VideoMetric
from vivid_eval.metrics.contract import as_video, as_videos
from vivid_eval.metrics.frechet import frechet_details, gaussian_stats
from vivid_eval.protocols import VIVID_V1, Protocol, catv2ton_clip_counts, clip_windows, prepare_clip

FeatureFn = Callable[[torch.Tensor], torch.Tensor]  # (N, 3, T, H, W) -> (N, D)
NETWORKS = {"i3d": "i3d_rgb_imagenet", "resnext": "resnext101_kinetics"}
SIDES = ("prediction", "reference")


def video_clip_features(frames: np.ndarray, protocol: Protocol, features: FeatureFn, batch: int = 4) -> np.ndarray:
    """Features (clips, D) of one video's own clips (:func:`clip_windows`); (0, D) when it has none."""
    windows = clip_windows(len(frames), protocol)
    out = []
    with torch.inference_mode():
        for i in range(0, len(windows), batch):
            clips = torch.stack([prepare_clip(frames[w], protocol) for w in windows[i : i + batch]])
            out.append(features(clips).double().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 0))


class VFID(VideoMetric):
    """VFID with I3D (``network="i3d"``) or 3D ResNeXt-101 (``"resnext"``) features; set level.

    ``features`` replaces the network by any (N, 3, T, H, W) -> (N, D) function (tests, other networks).
    """

    label = "VFID"
    higher_is_better = False
    settings = ("paired", "unpaired")
    protocol_fields = ("colour", "clip_len", "windows", "size", "antialias", "value_range")
    set_level = True
    ddof = 1  # unbiased covariance, as pytorch-fid and CatV2TON's script

    def __init__(
        self,
        network: str = "i3d",
        protocol: Protocol | None = None,
        features: FeatureFn | None = None,
        batch: int = 4,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if network not in NETWORKS:
            raise ValueError(f"VFID network must be one of {tuple(NETWORKS)}, got {network!r}")
        self.network, self.protocol, self.features, self.batch = network, protocol or VIVID_V1, features, batch
        self.custom_features = features is not None
        self.name = f"vfid_{network}"
        self.label = {"i3d": "VFID-I3D", "resnext": "VFID-ResNeXt"}[network]
        self.columns = ()
        self.weight_hash: str | None = None
        self.reset_sets()

    @property
    def weights(self) -> tuple[str, ...]:  # type: ignore[override]
        return () if self.custom_features else (self.weights_name(),)

    def weights_name(self) -> str:
        """The registry name of the network's weights."""
        return NETWORKS[self.network]

    def load_features(self, path, device: str) -> FeatureFn:
        """The feature function of the network whose checkpoint is ``path`` (loaded strictly)."""
        from vivid_eval.networks.checkpoints import load_i3d, load_resnext101

        network = (load_i3d if self.network == "i3d" else load_resnext101)(path).to(device)
        return lambda clips: network.features(clips.to(device))

    def reset(self) -> None:
        super().reset()
        self.reset_sets()

    def reset_sets(self) -> None:
        self.per_video: dict[str, dict[str, tuple[int, np.ndarray]]] = {side: {} for side in SIDES}
        self.skipped: dict[str, dict[str, str]] = {side: {} for side in SIDES}
        self.order: dict[str, list[str] | None] = {side: None for side in SIDES}

    def setup(self, device: str = "cpu", protocol: Protocol | None = None) -> VFID:
        super().setup(device, protocol)
        if protocol is not None:
            self.protocol = protocol
        if self.features is None:
            from vivid_data.store import sha256_file
            from vivid_data.weights import WeightsUnavailable, path_of
            from vivid_eval.networks.checkpoints import CheckpointError

            try:
                path = path_of(self.weights_name())
                self.features = self.load_features(path, device)
            except (WeightsUnavailable, CheckpointError) as exc:  # missing, or not plain tensors: named, others run
                raise MetricUnavailable(str(exc)) from exc
            self.weight_hash = sha256_file(path)
        return self

    def update(self, videos, real: bool, ids: Sequence[str] | None = None) -> None:  # type: ignore[override]
        """Add one video, a 5-D batch or a list of videos (any form the metrics' input contract accepts) to one side."""
        if self.features is None:
            self.setup(self.device_name)
        side = "reference" if real else "prediction"
        # an array or tensor (one video, or a 5-D batch) or a list of videos, each in any accepted form
        batch = as_videos(videos, side) if hasattr(videos, "shape") else [as_video(v, side) for v in videos]
        names = list(ids) if ids is not None else [f"video{len(self.per_video[side]) + i}" for i in range(len(batch))]
        for name, frames in zip(names, batch):
            features = self.video_features(frames)
            if not len(features):
                self.skipped[side][name] = f"{len(frames)} frames: shorter than one {self.clip_len}-frame clip"
            self.per_video[side][name] = (len(frames), features)

    @property
    def clip_len(self) -> int:
        return self.protocol.clip_len

    def video_features(self, frames: np.ndarray) -> np.ndarray:
        """(clips, D) features of one video's clips under the protocol."""
        assert self.features is not None, "setup() sets the feature function"
        return video_clip_features(frames, self.protocol, self.features, self.batch)

    def clips(self, side: str) -> tuple[list[str], list[np.ndarray], list[int]]:
        """(video ids in order, clip features per video, clip counts) of one side under the protocol."""
        videos = self.per_video[side]
        order = self.order[side] or list(videos)
        order = [v for v in order if v in videos]
        frames = [videos[v][0] for v in order]
        if self.protocol.windows == "catv2ton":
            counts = catv2ton_clip_counts(frames, self.protocol.clip_len)
            features = []
            for video, count in zip(order, counts):
                first = videos[video][1][:1]
                if count and not len(first):  # CatV2TON's reader would stop here (assert ret)
                    self.skipped[side].setdefault(video, "shorter than a clip that CatV2TON's allocation gives it")
                features.append(np.repeat(first, count, axis=0) if len(first) else first)
            counts = [len(f) for f in features]
        else:
            features = [videos[v][1] for v in order]
            counts = [len(f) for f in features]
        return order, features, counts

    def result(self) -> dict[str, Any]:
        """The VFID with the clip counts, the order and how the distance was computed."""
        sides = {side: self.clips(side) for side in SIDES}
        stacked = {side: [f for f in sides[side][1] if len(f)] for side in SIDES}
        counts = {side: sum(sides[side][2]) for side in SIDES}
        if min(counts.values()) < 2:
            raise MetricUnavailable(
                f"needs at least two {self.clip_len}-frame clips per side, got "
                f"{counts['prediction']} predicted and {counts['reference']} reference clips"
            )
        details = frechet_details(
            *gaussian_stats(np.concatenate(stacked["prediction"]), self.ddof),
            *gaussian_stats(np.concatenate(stacked["reference"]), self.ddof),
        )
        return {
            "value": details["value"],
            "prediction_clips": counts["prediction"],
            "reference_clips": counts["reference"],
            "frechet": {k: v for k, v in details.items() if k != "value"},
            "clip_allocation": self.protocol.windows,
            "clip_order": {side: sides[side][0] for side in SIDES}
            if self.protocol.windows == "catv2ton"
            else "every window of every video",
            "clips_per_video": {side: dict(zip(sides[side][0], sides[side][2])) for side in SIDES},
            "skipped_videos": {side: dict(self.skipped[side]) for side in SIDES if self.skipped[side]},
        }

    def compute(self) -> torch.Tensor:
        return torch.tensor(self.result()["value"], dtype=torch.float64)

    def describe(self) -> dict:
        return {"network": self.network, "weights_sha256": self.weight_hash}


def vfid(
    predictions: Iterable[np.ndarray], references: Iterable[np.ndarray], protocol: Protocol, features: FeatureFn
) -> tuple[float, dict]:
    """VFID over two sets of videos with a feature function, and the clip counts it used."""
    metric = VFID(protocol=protocol, features=features)
    for video in predictions:
        metric.update(video, real=False)
    for video in references:
        metric.update(video, real=True)
    try:
        result = metric.result()
    except MetricUnavailable as exc:
        raise ValueError(str(exc)) from exc
    return result["value"], {
        "prediction_clips": result["prediction_clips"],
        "reference_clips": result["reference_clips"],
        "protocol": protocol.id,
    }


@dataclass(frozen=True)
class ClipFeatures:
    """Per-clip features of a run with the video each clip came from (what a VFID bootstrap resamples)."""

    videos: np.ndarray  # (V,) sample ids
    prediction: np.ndarray  # (Np, D)
    prediction_video: np.ndarray  # (Np,) index into videos
    reference: np.ndarray  # (Nr, D)
    reference_video: np.ndarray  # (Nr,)

    def of(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Prediction and reference clips of the videos at ``indices`` (repeats allowed: a bootstrap draw)."""
        pick = lambda owner, rows: np.concatenate([rows[owner == i] for i in indices])  # noqa: E731
        return pick(self.prediction_video, self.prediction), pick(self.reference_video, self.reference)


def save_clip_features(
    path: Path, sample_ids: list[str], prediction: list[np.ndarray], reference: list[np.ndarray]
) -> Path:
    """``features/<metric>.npz`` beside a result: float32 clips and their video indices (atomic)."""
    owner = lambda sets: np.concatenate([np.full(len(s), i) for i, s in enumerate(sets)]).astype(np.int32)  # noqa: E731
    joined = lambda sets: np.concatenate([s for s in sets if len(s)]).astype(np.float32)  # noqa: E731
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        videos=np.asarray(sample_ids),
        prediction=joined(prediction),
        prediction_video=owner(prediction),
        reference=joined(reference),
        reference_video=owner(reference),
    )
    return atomic_write_bytes(path, buffer.getvalue())


def save_metric_features(path: Path, metric: VFID, sample_ids: list[str]) -> Path:
    """The clip features a VFID metric used, per shared sample id (what the leaderboard's bootstrap draws)."""
    by_side = {}
    for side in SIDES:
        order, features, _ = metric.clips(side)
        by_video = dict(zip(order, features))
        by_side[side] = [by_video.get(s, np.zeros((0, 1))) for s in sample_ids]
    return save_clip_features(path, sample_ids, by_side["prediction"], by_side["reference"])


def load_clip_features(path: Path) -> ClipFeatures:
    with np.load(path, allow_pickle=False) as data:
        return ClipFeatures(
            data["videos"].astype(str),
            data["prediction"],
            data["prediction_video"],
            data["reference"],
            data["reference_video"],
        )
