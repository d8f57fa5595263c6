"""Stage ``parse``: agnostic mask and agnostic video per category, garment mask for the product image."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.executors.base import StageResources
from vivid_data.manifest_stream import read_columns
from vivid_data.parse.agnostic import (
    AgnosticConfig,
    mask_flicker,
    small_video_masks,
    upscale,
    work_size,
)
from vivid_data.parse.garment_mask import GarmentMaskConfig, garment_mask, iou
from vivid_data.pose.result import PoseTrack
from vivid_data.stages.base import Row, outcome
from vivid_data.store import ContentStore
from vivid_data.streams import fan_out
from vivid_data.video import (
    MediaError,
    count_decodable_frames,
    encode_image,
    encode_mask_video,
    encode_video,
    iter_video_chunks,
    read_image,
    read_mask,
)


@dataclass
@defaults_from("parse/default.yaml")
class ParseStage:
    """Masks from the pose stage's keypoints and person masks; ``segformer`` (optional) refines them.

    ``keep_existing`` keeps masks a source already has (an imported ViViD folder's agnostic
    masks, a shop's garment masks) and only measures them. Videos are read and written in
    chunks of ``chunk_frames``; masks are drawn at a working size and scaled up per frame.
    A garment image whose mask comes out (nearly) empty is rejected as ``blank_garment``.
    """

    work_dir: str
    keep_existing: bool = FROM_YAML
    agnostic: Any = FROM_YAML
    garment: Any = FROM_YAML
    segformer: Any = FROM_YAML
    grey: int = FROM_YAML
    crf: int = FROM_YAML
    preset: str = FROM_YAML
    min_garment_area: float = FROM_YAML
    chunk_frames: int = FROM_YAML
    resources: Any = FROM_YAML
    name: str = field(default="parse", init=False)
    key: str = field(default="sample_id", init=False)
    provides: tuple[str, ...] = field(default=("agnostic", "agnostic_mask", "garment_mask"), init=False)
    reads: tuple[str, ...] = field(
        default=(
            "video",
            "garment",
            "garment_mask",
            "agnostic",
            "agnostic_mask",
            "keypoints",
            "pose_person_mask",
            "category",
            "fps",
        ),
        init=False,
    )

    def __post_init__(self) -> None:
        if not isinstance(self.agnostic, AgnosticConfig):
            self.agnostic = AgnosticConfig(**dict(self.agnostic or {}))
        if not isinstance(self.garment, GarmentMaskConfig):
            self.garment = GarmentMaskConfig(**dict(self.garment or {}))
        self.resources = StageResources.of(self.resources)

    def config(self) -> dict[str, Any]:
        values = {
            k: v
            for k, v in asdict(self).items()
            if k not in ("work_dir", "resources", "provides", "reads", "chunk_frames")
        }
        values["segformer"] = None if self.segformer is None else str(getattr(self.segformer, "model_dir", "segformer"))
        return values

    def required_inputs(self, candidates: pd.DataFrame) -> tuple[str, ...]:
        """Keypoints, unless every candidate brings agnostic masks that ``keep_existing`` keeps."""
        brings_masks = (
            "agnostic_mask_src" in candidates and len(candidates) and candidates["agnostic_mask_src"].notna().all()
        )
        return ("video", "garment") if self.keep_existing and brings_masks else ("video", "garment", "keypoints")

    def setup(self) -> None:
        """Load the SegFormer model in this worker, when one is configured."""
        if self.segformer is not None and callable(getattr(self.segformer, "setup", None)):
            self.segformer.setup()

    @property
    def store(self) -> ContentStore:
        return ContentStore(Path(self.work_dir) / "store")

    def __call__(self, row: Row) -> list[Row]:
        updates: dict[str, Any] = {}
        try:
            updates.update(self._garment(row))
            if updates.get("parse_garment_area", 1.0) < self.min_garment_area:
                return [
                    outcome(
                        row,
                        "rejected",
                        "blank_garment",
                        detail=f"{row.get('garment_url')}: no garment found in the image (mask covers "
                        f"{updates['parse_garment_area']:.1%}, need {self.min_garment_area:.0%})",
                        **updates,
                    )
                ]
            updates.update(self._agnostic(row))
        except MediaError as exc:
            return [outcome(row, "rejected", "undecodable", detail=str(exc))]
        return [outcome(row, "ok", None, **updates)]

    def _garment(self, row: Row) -> dict[str, Any]:
        if row.get("garment_mask") and self.keep_existing:
            return {"parse_garment_mask": "kept"}
        image = read_image(self.store.path(row["garment"]), name=row.get("garment_url"))
        mask = garment_mask(image, self.garment)
        updates = {"parse_garment_mask": "computed", "parse_garment_area": float(mask.mean())}
        if row.get("garment_mask"):
            source = read_mask(self.store.path(row["garment_mask"]))
            if source.shape == mask.shape:
                updates["parse_garment_iou_vs_source"] = iou(mask, source)
        updates["garment_mask"] = self.store.put_bytes(encode_image(mask, "PNG"), "png").key
        return updates

    def _chunks(self, column: str, row: Row, size: tuple[int, int] | None = None):
        yield from iter_video_chunks(
            self.store.path(row[column]), self.chunk_frames, size=size, name=f"{row.get('video_url')} ({column})"
        )

    def _frames(self, column: str, row: Row):
        for _, chunk in self._chunks(column, row):
            yield from chunk

    def _agnostic(self, row: Row) -> dict[str, Any]:
        """Agnostic mask and video, and the masks' scores, from one pass over the video's chunks."""
        fps = float(row["fps"])
        if row.get("agnostic_mask") and self.keep_existing:
            theirs = count_decodable_frames(
                self.store.path(row["agnostic_mask"]), name=f"{row.get('video_url')} (agnostic_mask)"
            )
            ours = count_decodable_frames(self.store.path(row["video"]), name=str(row.get("video_url")))
            if theirs != ours:
                raise MediaError(
                    f"{row.get('video_url')} (agnostic_mask)",
                    "bad_frames",
                    f"the agnostic mask video has {theirs} frames, the video {ours}",
                )
            pairs = zip(self._frames("video", row), (f[..., 0] > 127 for f in self._frames("agnostic_mask", row)))
            consumers: list[Callable[[Any], dict[str, Any]]] = [self._scores]
            if not row.get("agnostic"):
                consumers.append(lambda items: {"agnostic": self._store_video(self._filled(items), fps)})
            updates: dict[str, Any] = {"parse_agnostic": "kept"}
        else:
            if not row.get("keypoints"):
                raise MediaError(str(row.get("video_url")), "bad_frames", "no keypoints: run the pose stage first")
            track = PoseTrack.from_npz(self.store.read_bytes(row["keypoints"]))
            height, width = track.height, track.width
            persons = None
            if row.get("pose_person_mask"):
                small_size = work_size(height, width, self.agnostic)
                persons = np.concatenate(
                    [c[..., 0] > 127 for _, c in self._chunks("pose_person_mask", row, small_size)]
                )
            small = small_video_masks(
                track.keypoints, track.detected, persons, row["category"], height, width, self.agnostic, track.skeleton
            )
            pairs = self._frames_with_masks(row, small, height, width)
            consumers = [
                self._scores,
                lambda items: {
                    "agnostic_mask": self.store.put_bytes(encode_mask_video((m for _, m in items), fps=fps), "mp4").key
                },
                lambda items: {"agnostic": self._store_video(self._filled(items), fps)},
            ]
            if row.get("agnostic_mask"):
                # the source has masks of its own: say how well ours agree with them, frame by frame
                consumers.append(lambda items: self._agreement(row, items, len(small)))
            updates = {"parse_agnostic": "computed"}
        for result in fan_out(pairs, consumers, buffer=self.chunk_frames):
            updates.update(result)
        return updates

    def _frames_with_masks(self, row: Row, small: np.ndarray, height: int, width: int):
        """(frame, mask at the frame size) pairs; SegFormer refines each chunk when configured."""
        for start, frames in self._chunks("video", row):
            masks = [upscale(m, height, width) for m in small[start : start + len(frames)]]
            if self.segformer is not None:
                masks = list(self.segformer.refine(np.stack(masks), self.segformer.labels(frames), row["category"]))
            yield from zip(frames, masks)

    @staticmethod
    def _scores(items) -> dict[str, float]:
        area = _Mean()
        flicker = mask_flicker(area.add(mask) for _, mask in items)
        return {"parse_mask_flicker": flicker, "parse_mask_area": area.value}

    def _agreement(self, row: Row, items, count: int) -> dict[str, float]:
        source = (frame[..., 0] > 127 for frame in self._frames("agnostic_mask", row))
        scores = [iou(mask, theirs) for (_, mask), theirs in zip(items, source) if mask.shape == theirs.shape]
        return {"parse_agnostic_iou_vs_source": float(np.mean(scores))} if len(scores) == count else {}

    def _filled(self, items):
        """The video with the mask region grey, as ViViD's released agnostic videos, frame by frame."""
        for frame, mask in items:
            out = frame.copy()
            out[mask] = self.grey
            yield out

    def _store_video(self, frames, fps: float) -> str:
        data = encode_video(frames, fps=fps, crf=self.crf, preset=self.preset, reproducible=True)
        return self.store.put_bytes(data, "mp4").key

    def finalize(self, manifest: Path) -> tuple[dict[int, Row | None], dict[str, Any]]:
        notes = {}
        columns = {
            "parse_mask_flicker": "mean_mask_consecutive_iou",
            "parse_agnostic_iou_vs_source": "mean_agnostic_iou_vs_source",
            "parse_garment_iou_vs_source": "mean_garment_iou_vs_source",
        }
        frame = read_columns(manifest, list(columns))
        for column, note in columns.items():
            if column in frame and frame[column].notna().any():
                notes[note] = float(frame[column].mean())
        return {}, notes


class _Mean:
    """Running mean of masks' coverage, passed through a generator."""

    def __init__(self) -> None:
        self.total, self.count = 0.0, 0

    def add(self, mask: np.ndarray) -> np.ndarray:
        self.total += float(mask.mean())
        self.count += 1
        return mask

    @property
    def value(self) -> float:
        return self.total / self.count if self.count else 0.0
