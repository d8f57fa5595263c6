"""Stage ``pose``: keypoints per frame, smoothed, a rendered pose video and the person masks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.executors.base import StageResources
from vivid_data.manifest_stream import read_columns
from vivid_data.pose.orientation import BACK, FRONTAL, ORIENTATION_RULE, body_orientation, longest_run
from vivid_data.pose.result import upscale_mask
from vivid_data.pose.skeleton import render_pose
from vivid_data.pose.smoothing import fill_gaps, jitter, smooth_tracks
from vivid_data.stages.base import Row, outcome
from vivid_data.store import ContentStore
from vivid_data.video import MediaError, encode_mask_video, encode_video
from vivid_data.video.frames import VideoFrames


@dataclass
@defaults_from("pose/mediapipe.yaml")
class PoseStage:
    """``backend`` is a Hydra-instantiated pose estimator (``mediapipe`` or ``rtmpose``).

    The video is read in chunks (``chunk_frames``) and the outputs are encoded as they are
    rendered, so memory does not grow with the clip's length; the backend's model is opened by
    ``setup()`` in each worker.
    """

    work_dir: str
    backend: Any = None
    max_gap: int = FROM_YAML  # frames without a detection filled by interpolation
    smooth_window: int = FROM_YAML  # Savitzky-Golay window (frames)
    min_detected: float = FROM_YAML  # share of frames with a person after gap filling
    max_multi_person: float = FROM_YAML  # share of checked frames with two or more people
    min_person_height: float = FROM_YAML  # median person height, share of the frame height
    render_crf: int = FROM_YAML
    chunk_frames: int = FROM_YAML
    resources: Any = FROM_YAML
    name: str = field(default="pose", init=False)
    key: str = field(default="sample_id", init=False)
    requires: tuple[str, ...] = field(default=("video", "fps"), init=False)
    provides: tuple[str, ...] = field(default=("keypoints", "pose", "pose_person_mask"), init=False)
    reads: tuple[str, ...] = field(default=("video", "fps"), init=False)

    def __post_init__(self) -> None:
        self.resources = StageResources.of(self.resources)

    def config(self) -> dict[str, Any]:
        values = {
            k: v
            for k, v in asdict(self).items()
            if k not in ("work_dir", "resources", "requires", "provides", "reads", "chunk_frames", "backend")
        }
        values["orientation"] = ORIENTATION_RULE  # a changed rule recomputes the rows that carry its labels
        values["backend"] = {
            "type": type(self.backend).__name__,
            **{k: v for k, v in vars(self.backend).items() if not k.startswith("_")},
        }
        return values

    def setup(self) -> None:
        """Open the backend's model in this worker (ONNX sessions, ...)."""
        setup = getattr(self.backend, "setup", None)
        if callable(setup):
            setup()

    @property
    def store(self) -> ContentStore:
        return ContentStore(Path(self.work_dir) / "store")

    def __call__(self, row: Row) -> list[Row]:
        try:
            frames = VideoFrames(self.store.path(row["video"]), name=row["video_url"], chunk=self.chunk_frames)
            track = self.backend(frames)
        except MediaError as exc:
            return [outcome(row, "rejected", "undecodable", detail=str(exc))]
        keypoints, detected = fill_gaps(track.keypoints, track.detected, self.max_gap)
        smoothed = smooth_tracks(keypoints, detected, self.smooth_window)
        detected_share = float(detected.mean())
        checked = track.people[track.people >= 0] if track.people is not None else np.zeros(0)
        multi_share = float((checked >= 2).mean()) if checked.size else 0.0
        heights = [
            np.ptp(k[k[:, 2] >= 0.5, 1]) for k, d in zip(smoothed, detected) if d and (k[:, 2] >= 0.5).sum() >= 2
        ]
        person_height = float(np.median(heights) / track.height) if heights else 0.0
        orientation, confidence = body_orientation(smoothed, detected, track.skeleton)
        frontal_start, frontal_end = longest_run(orientation, FRONTAL)
        scores: dict[str, Any] = {
            "pose_backend": type(self.backend).__name__,
            "pose_frontal_share": float((orientation == FRONTAL).mean()),
            "pose_back_share": float((orientation == BACK).mean()),
            "pose_frontal_run": int(frontal_end - frontal_start),
            "pose_frontal_start": int(frontal_start),
            "pose_detected": detected_share,
            "pose_multi_person": multi_share,
            "pose_person_height": person_height,
            "pose_jitter_raw": jitter(keypoints, detected),
            "pose_jitter": jitter(smoothed, detected),
        }
        if detected_share < self.min_detected:
            return [
                outcome(
                    row,
                    "rejected",
                    "person_missing",
                    detail=f"person found in {detected_share:.0%} of frames",
                    **scores,
                )
            ]
        if multi_share > self.max_multi_person:
            return [
                outcome(
                    row,
                    "rejected",
                    "multiple_people",
                    detail=f"two or more people in {multi_share:.0%} of checked frames",
                    **scores,
                )
            ]
        if person_height < self.min_person_height:
            return [
                outcome(
                    row,
                    "rejected",
                    "person_too_small",
                    detail=f"person is {person_height:.0%} of the frame height",
                    **scores,
                )
            ]
        track.keypoints, track.detected = smoothed, detected
        fps = float(row["fps"])
        blank = np.zeros((track.height, track.width, 3), np.uint8)  # frames still without a person
        rendered = (
            render_pose(k, track.skeleton, track.height, track.width) if d else blank
            for k, d in zip(smoothed, detected)
        )
        stored = {
            "keypoints": self.store.put_bytes(
                track.to_npz(orientation=orientation, orientation_confidence=confidence), "npz"
            ),
            "pose": self.store.put_bytes(
                encode_video(rendered, fps=fps, crf=self.render_crf, reproducible=True), "mp4"
            ),
        }
        if track.person_masks is not None:
            persons = (upscale_mask(m, track.height, track.width) for m in track.person_masks)
            stored["pose_person_mask"] = self.store.put_bytes(encode_mask_video(persons, fps=fps), "mp4")
        return [outcome(row, "ok", None, **{k: v.key for k, v in stored.items()}, **scores)]

    def finalize(self, manifest: Path) -> tuple[dict[int, Row | None], dict[str, Any]]:
        frame = read_columns(manifest, ["pose_jitter", "pose_jitter_raw"])
        done = frame[frame["pose_jitter"].notna()] if "pose_jitter" in frame else frame.iloc[0:0]
        notes = {}
        if len(done):
            notes = {
                "mean_jitter_raw": float(done["pose_jitter_raw"].mean()),
                "mean_jitter_smoothed": float(done["pose_jitter"].mean()),
            }
        return {}, notes
