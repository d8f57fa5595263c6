"""Stage ``parse``: agnostic mask and agnostic video per category, garment mask for the product image."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vivid_data.parse.agnostic import AgnosticConfig, agnostic_frames, mask_flicker, video_masks
from vivid_data.parse.garment_mask import GarmentMaskConfig, garment_mask, iou
from vivid_data.pose.result import PoseTrack
from vivid_data.stages.base import Row, outcome
from vivid_data.store import ContentStore
from vivid_data.video import (
    MediaError,
    decode_video,
    encode_image,
    encode_mask_video,
    encode_video,
    read_image,
    read_mask,
)


@dataclass
class ParseStage:
    """Masks from the pose stage's keypoints and person masks; ``segformer`` (optional) refines them.

    ``keep_existing`` keeps masks a source already has (an imported ViViD folder's agnostic
    masks, a shop's garment masks) and only measures them.
    """

    work_dir: str
    keep_existing: bool = True
    agnostic: Any = None
    garment: Any = None
    segformer: Any = None
    grey: int = 128
    crf: int = 18
    preset: str = "veryfast"
    name: str = field(default="parse", init=False)
    key: str = field(default="sample_id", init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.agnostic, AgnosticConfig):
            self.agnostic = AgnosticConfig(**dict(self.agnostic or {}))
        if not isinstance(self.garment, GarmentMaskConfig):
            self.garment = GarmentMaskConfig(**dict(self.garment or {}))

    def config(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("work_dir")
        values["segformer"] = None if self.segformer is None else str(getattr(self.segformer, "model_dir", "segformer"))
        return values

    @property
    def store(self) -> ContentStore:
        return ContentStore(Path(self.work_dir) / "store")

    def __call__(self, row: Row) -> list[Row]:
        updates: dict[str, Any] = {}
        try:
            updates.update(self._garment(row))
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

    def _agnostic(self, row: Row) -> dict[str, Any]:
        fps = float(row["fps"])
        if row.get("agnostic_mask") and self.keep_existing:
            masks = decode_video(self.store.path(row["agnostic_mask"]))[..., 0] > 127
            updates = {"parse_agnostic": "kept"}
            if not row.get("agnostic"):
                frames = decode_video(self.store.path(row["video"]))
                updates["agnostic"] = self._store_video(agnostic_frames(frames, masks, self.grey), fps)
        else:
            if not row.get("keypoints"):
                raise MediaError(str(row.get("video_url")), "bad_frames", "no keypoints: run the pose stage first")
            track = PoseTrack.from_npz(self.store.read_bytes(row["keypoints"]))
            persons = None
            if row.get("pose_person_mask"):
                persons = decode_video(self.store.path(row["pose_person_mask"]))[..., 0] > 127
            masks = video_masks(track.keypoints, track.detected, persons, row["category"], track.height,
                                track.width, self.agnostic, track.skeleton)
            frames = decode_video(self.store.path(row["video"]))
            if self.segformer is not None:
                masks = self.segformer.refine(masks, self.segformer.labels(frames), row["category"])
            updates = {}
            if row.get("agnostic_mask"):
                # the source has masks of its own: say how well ours agree with them, frame by frame
                source = decode_video(self.store.path(row["agnostic_mask"]))[..., 0] > 127
                if source.shape == masks.shape:
                    updates["parse_agnostic_iou_vs_source"] = float(np.mean([iou(a, b) for a, b in zip(masks, source)]))
            updates |= {
                "parse_agnostic": "computed",
                "agnostic_mask": self.store.put_bytes(encode_mask_video(masks, fps=fps), "mp4").key,
                "agnostic": self._store_video(agnostic_frames(frames, masks, self.grey), fps),
            }
        updates["parse_mask_flicker"] = mask_flicker(masks)
        updates["parse_mask_area"] = float(masks.mean())
        return updates

    def _store_video(self, frames: np.ndarray, fps: float) -> str:
        data = encode_video(frames, fps=fps, crf=self.crf, preset=self.preset, reproducible=True)
        return self.store.put_bytes(data, "mp4").key

    def finalize(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
        notes = {}
        for column, note in (("parse_mask_flicker", "mean_mask_consecutive_iou"),
                             ("parse_agnostic_iou_vs_source", "mean_agnostic_iou_vs_source"),
                             ("parse_garment_iou_vs_source", "mean_garment_iou_vs_source")):
            if column in frame and frame[column].notna().any():
                notes[note] = float(frame[column].mean())
        return frame, notes
