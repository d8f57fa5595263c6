"""Stage ``clean``: score every sample, then filter by thresholds (score first, filter second).

Scores are computed once per (sample, scoring config) and kept as ``clean_*`` columns; the
thresholds in ``filters`` are applied afterwards over the whole manifest, so changing a
threshold re-filters without decoding anything again. Cross-sample checks (near-duplicate
videos, duplicate garment images) also run there.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.executors.base import StageResources
from vivid_data.quality.cuts import content_scores, cuts_from_scores, segments_around
from vivid_data.quality.scores import (
    contrast,
    motion_score,
    plain_background_ratio,
    sharpness,
    thumbnail,
    video_hashes,
)
from vivid_data.quality.transnet import TransNetV2Cuts, transitions
from vivid_data.schema import make_sample_id
from vivid_data.stages.base import Row, outcome
from vivid_data.store import ContentStore
from vivid_data.video import (
    MediaError,
    decode_video,
    encode_mask_video,
    encode_video,
    iter_video_chunks,
    probe_video,
    read_image,
)

SEGMENTED_VIDEOS = ("agnostic", "densepose")
CUT_DETECTORS = ("transnetv2", "hsv")
SEGMENTED_MASKS = ("agnostic_mask",)


@dataclass
@defaults_from("clean/default.yaml", "filters")
class CleanFilters:
    """Thresholds applied after scoring; a row failing one is ``rejected`` with that reason."""

    min_frames: int = FROM_YAML
    min_duration_s: float = FROM_YAML
    min_fps: float = FROM_YAML
    max_fps: float = FROM_YAML
    min_width: int = FROM_YAML
    min_height: int = FROM_YAML
    orientation: str = FROM_YAML  # portrait | landscape | any
    min_motion: float = FROM_YAML
    min_sharpness: float = FROM_YAML
    min_garment_side: int = FROM_YAML
    min_garment_background: float = FROM_YAML
    min_garment_contrast: float = FROM_YAML
    max_duplicate_distance: float = FROM_YAML
    garment_duplicate_distance: int = FROM_YAML
    garment_duplicate_colour: float = FROM_YAML


def _hex(values: list[int]) -> str:
    return ",".join(f"{v:016x}" for v in values)


def _unhex(text: str | None) -> list[int]:
    return [int(v, 16) for v in text.split(",")] if text else []


@dataclass
@defaults_from("clean/default.yaml")
class CleanStage:
    work_dir: str
    analysis_height: int = FROM_YAML
    sharpness_height: int = FROM_YAML
    sharpness_frames: int = FROM_YAML
    cuts: str = FROM_YAML  # transnetv2 | hsv
    cut_probability: float = FROM_YAML
    cut_device: str = FROM_YAML
    cut_threshold: float = FROM_YAML
    cut_ratio: float = FROM_YAML
    split_at_cuts: bool = FROM_YAML
    min_segment_frames: int = FROM_YAML
    segment_crf: int = FROM_YAML
    chunk_frames: int = FROM_YAML
    filters: Any = FROM_YAML
    resources: Any = FROM_YAML
    name: str = field(default="clean", init=False)
    key: str = field(default="sample_id", init=False)
    requires: tuple[str, ...] = field(default=("video", "garment", "num_frames", "fps", "width", "height"), init=False)
    provides: tuple[str, ...] = field(default=("clean_cuts", "clean_motion", "clean_sharpness"), init=False)
    reads: tuple[str, ...] = field(
        default=(
            "sample_id",
            "video",
            "garment",
            "garment_sha256",
            "agnostic",
            "agnostic_mask",
            "densepose",
            "num_frames",
            "fps",
            "width",
            "height",
        ),
        init=False,
    )

    def __post_init__(self) -> None:
        self.resources = StageResources.of(self.resources)
        values = dict(self.filters or {})
        self.filters = CleanFilters(**values) if not isinstance(self.filters, CleanFilters) else self.filters
        if self.filters.orientation not in ("portrait", "landscape", "any"):
            raise ValueError(
                f"clean.filters.orientation must be portrait, landscape or any, got {self.filters.orientation!r}"
            )
        if self.cuts not in CUT_DETECTORS:
            raise ValueError(f"clean.cuts must be one of {', '.join(CUT_DETECTORS)}, got {self.cuts!r}")
        # not a dataclass field: config() and asdict() never touch the network it opens
        self._transnet = (
            TransNetV2Cuts(threshold=self.cut_probability, device=self.cut_device)
            if self.cuts == "transnetv2"
            else None
        )

    def setup(self) -> None:
        """Open the shot detector's network in this worker, once."""
        if self._transnet is not None:
            self._transnet.setup()

    def config(self) -> dict[str, Any]:
        """Only the scoring settings: thresholds do not invalidate computed scores."""
        values = asdict(self)
        for key in ("work_dir", "filters", "resources", "requires", "provides", "reads", "chunk_frames", "cut_device"):
            values.pop(key)
        unused = ("cut_threshold", "cut_ratio") if self.cuts == "transnetv2" else ("cut_probability",)
        for key in unused:
            values.pop(key)
        return values

    @property
    def store(self) -> ContentStore:
        return ContentStore(Path(self.work_dir) / "store")

    # ---- per row: scores -------------------------------------------------------------
    def __call__(self, row: Row) -> list[Row]:
        path = self.store.path(row["video"])
        width, height = int(row["width"]), int(row["height"])
        small = (self.analysis_height, max(2, int(round(self.analysis_height * width / height / 2)) * 2))
        try:
            frames = decode_video(path, size=small, name=row["video_url"])
        except MediaError as exc:
            return [outcome(row, "rejected", "undecodable", detail=str(exc))]
        if len(frames) < int(row["num_frames"]):
            return [
                outcome(
                    row,
                    "rejected",
                    "undecodable",
                    detail=f"{row['video_url']}: {len(frames)} of {row['num_frames']} frames decodable",
                )
            ]
        try:
            garment = read_image(self.store.path(row["garment"]), name=row["garment_url"])
        except MediaError as exc:
            return [outcome(row, "rejected", "garment_undecodable", detail=str(exc))]
        garment_scores = {
            "clean_garment_side": int(min(garment.shape[:2])),
            "clean_garment_background": plain_background_ratio(garment),
            "clean_garment_contrast": contrast(garment),
            "clean_garment_phash": _hex(video_hashes(garment[None], count=1)),
            "clean_garment_thumb": thumbnail(garment).tobytes().hex(),
        }
        runs, peak = self.shot_transitions(frames)
        garment_scores["clean_cut_peak"] = peak
        cuts = len(runs)
        if not runs:
            return [self._scored(row, frames, 0, garment_scores)]
        where = ", ".join(str(end) if end - start <= 1 else f"{start}-{end - 1}" for start, end in runs)
        segments = [(a, b) for a, b in segments_around(runs, len(frames)) if b - a >= self.min_segment_frames]
        if not self.split_at_cuts or not segments:
            why = "" if not self.split_at_cuts else f"; no shot has {self.min_segment_frames} frames"
            scored = self._scored(row, frames, cuts, garment_scores)
            return [outcome(scored, "rejected", "scene_cut", detail=f"cuts at frames [{where}]{why}")]
        return [self._segment(row, frames, start, end, cuts, garment_scores) for start, end in segments]

    def shot_transitions(self, frames: np.ndarray) -> tuple[list[tuple[int, int]], float]:
        """Transitions as [start, end) frame runs, and the peak score (TransNetV2 probability or HSV change).

        An HSV cut at frame c is the one-frame run (c - 1, c): the new shot starts at c either way.
        """
        if self._transnet is not None:
            probabilities = self._transnet.probabilities(frames)
            peak = float(probabilities.max()) if probabilities.size else 0.0
            return transitions(probabilities, self.cut_probability), peak
        scores = content_scores(frames)
        cuts = cuts_from_scores(scores, self.cut_threshold, self.cut_ratio)
        return [(c - 1, c) for c in cuts], float(scores.max()) if scores.size else 0.0

    def _scored(self, row: Row, frames: np.ndarray, cuts: int, garment_scores: dict, path: Path | None = None) -> Row:
        path = path or self.store.path(row["video"])
        picks = np.linspace(0, int(row["num_frames"]) - 1, num=min(self.sharpness_frames, int(row["num_frames"])))
        size = (
            self.sharpness_height,
            max(2, int(round(self.sharpness_height * int(row["width"]) / int(row["height"]) / 2)) * 2),
        )
        sharp = decode_video(path, indices=picks.round().astype(int).tolist(), size=size)
        scores = {
            "clean_cuts": cuts,
            "clean_motion": motion_score(frames),
            "clean_sharpness": float(np.mean([sharpness(f) for f in sharp])),
            "clean_video_phash": _hex(video_hashes(frames)),
            **garment_scores,
        }
        return outcome(row, "ok", None, **scores)

    def _segment(self, row: Row, frames: np.ndarray, start: int, end: int, cuts: int, garment_scores: dict) -> Row:
        """Cut [start, end) out of the video (and its aligned modalities) as a sample of its own."""
        fps = float(row["fps"])

        def frames_of(column: str):  # streamed in chunks: a long shot is never decoded whole
            for _, chunk in iter_video_chunks(self.store.path(row[column]), self.chunk_frames, start=start, stop=end):
                yield from chunk

        video = self.store.put_bytes(
            encode_video(frames_of("video"), fps=fps, crf=self.segment_crf, reproducible=True), "mp4"
        )
        updates: dict[str, Any] = {"video": video.key, "video_sha256": video.sha256}
        for modality in SEGMENTED_VIDEOS + SEGMENTED_MASKS:
            if row.get(modality):
                data = (
                    encode_mask_video((f[..., 0] > 127 for f in frames_of(modality)), fps=fps)
                    if modality in SEGMENTED_MASKS
                    else encode_video(frames_of(modality), fps=fps, crf=self.segment_crf, reproducible=True)
                )
                updates[modality] = self.store.put_bytes(data, "mp4").key
        info = probe_video(self.store.path(video.key))
        segment_row = {
            **row,
            **updates,
            "sample_id": make_sample_id(video.sha256, row["garment_sha256"]),
            "num_frames": info.num_frames,
            "duration_s": info.duration_s,
            "clean_parent_id": row["sample_id"],
            "clean_segment": f"{start}-{end}",
        }
        return self._scored(segment_row, frames[start:end], cuts, garment_scores, self.store.path(video.key))

    # ---- all rows: filters and duplicates ------------------------------------------
    def finalize(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
        frame = frame.copy()
        f = self.filters
        checks = [
            ("too_short", lambda r: r["num_frames"] < f.min_frames or r["duration_s"] < f.min_duration_s),
            ("fps_out_of_range", lambda r: not f.min_fps <= r["fps"] <= f.max_fps),
            ("too_small", lambda r: r["width"] < f.min_width or r["height"] < f.min_height),
            (
                "wrong_orientation",
                lambda r: (
                    (f.orientation == "portrait" and r["width"] > r["height"])
                    or (f.orientation == "landscape" and r["height"] > r["width"])
                ),
            ),
            ("static", lambda r: r["clean_motion"] < f.min_motion),
            ("blurry", lambda r: r["clean_sharpness"] < f.min_sharpness),
            ("garment_too_small", lambda r: r["clean_garment_side"] < f.min_garment_side),
            ("garment_background", lambda r: r["clean_garment_background"] < f.min_garment_background),
            ("blank_garment", lambda r: _value(r, "clean_garment_contrast", np.inf) < f.min_garment_contrast),
        ]
        scored = frame["status"].eq("ok") & frame["stages"].map(lambda s: self.name in json.loads(s or "{}"))
        filtered: dict[str, int] = {}
        for index in frame.index[scored]:
            row = frame.loc[index]
            for reason, failed in checks:
                try:
                    bad = bool(failed(row))
                except (TypeError, ValueError, KeyError) as exc:  # a missing or malformed score: this row only
                    self._reject(
                        frame,
                        index,
                        "bad_scores",
                        status="failed",
                        detail=f"{row.get('video_url')}: check {reason} could not be applied ({exc})",
                    )
                    filtered["bad_scores"] = filtered.get("bad_scores", 0) + 1
                    break
                if bad:
                    self._reject(frame, index, reason)
                    filtered[reason] = filtered.get(reason, 0) + 1
                    break
        groups = self._garment_groups(frame)
        duplicates = self._mark_duplicate_videos(frame)
        return frame, {"filtered": filtered, "duplicate_videos": duplicates, "garment_groups_shared": groups}

    def _reject(
        self, frame: pd.DataFrame, index, reason: str, status: str = "rejected", detail: str | None = None, **extra
    ) -> None:
        frame.loc[index, "status"] = status
        frame.loc[index, "reason"] = reason
        row = frame.loc[index]
        frame.loc[index, "detail"] = detail or f"{row.get('video_url')}: {_explain(reason, row, self.filters)}"
        stages = json.loads(frame.loc[index, "stages"] or "{}")
        stages[self.name] = {**stages.get(self.name, {}), "status": status, "reason": reason, **extra}
        frame.loc[index, "stages"] = json.dumps(stages, sort_keys=True)

    def _mark_duplicate_videos(self, frame: pd.DataFrame) -> int:
        """Near-duplicate videos (re-encodes, resizes) with the same garment: keep the largest,
        longest, sharpest copy. One video with different garments (the unpaired test setting of
        ViViD's own examples) is not a duplicate."""
        ok = frame.index[frame["status"].eq("ok") & frame.get("clean_video_phash", pd.Series(dtype=object)).notna()]
        if len(ok) < 2:
            return 0
        order = sorted(
            ok,
            key=lambda i: (
                -int(frame.at[i, "width"]) * int(frame.at[i, "height"]),
                -int(frame.at[i, "num_frames"]),
                -float(frame.at[i, "clean_sharpness"]),
                str(frame.at[i, "sample_id"]),
            ),
        )
        hashes = np.array([_resample(_unhex(frame.at[i, "clean_video_phash"])) for i in order], dtype=np.uint64)
        garments = np.array([str(frame.at[i, "clean_garment_group"]) for i in order])
        kept: list[int] = []
        marked = 0
        for position, index in enumerate(order):
            if kept:
                distances = np.bitwise_count(hashes[kept] ^ hashes[position]).mean(axis=1)
                close = np.nonzero(
                    (distances <= self.filters.max_duplicate_distance) & (garments[kept] == garments[position])
                )[0]
                if close.size:
                    best = order[kept[int(close[0])]]
                    frame.loc[index, "clean_duplicate_of"] = frame.at[best, "sample_id"]
                    self._reject(frame, index, "duplicate_video", duplicate_of=str(frame.at[best, "sample_id"]))
                    marked += 1
                    continue
            kept.append(position)
        return marked

    def _garment_groups(self, frame: pd.DataFrame) -> int:
        """``clean_garment_group``: garment images that are the same product shot share a group."""
        if "clean_garment_phash" not in frame:
            return 0
        rows = frame.index[frame["clean_garment_phash"].notna()]
        parent = {i: i for i in rows}

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        items = list(rows)
        values = np.array([_unhex(frame.at[i, "clean_garment_phash"])[0] for i in items], dtype=np.uint64)
        thumbs = np.stack(
            [np.frombuffer(bytes.fromhex(frame.at[i, "clean_garment_thumb"]), np.uint8) for i in items]
        ).astype(np.int16)
        for a_pos, a in enumerate(items):
            near = np.bitwise_count(values[a_pos + 1 :] ^ values[a_pos]) <= self.filters.garment_duplicate_distance
            for b_pos in np.nonzero(near)[0] + a_pos + 1:
                # the hash compares shapes; the colour thumbnail tells two prints of one cut apart
                if np.abs(thumbs[b_pos] - thumbs[a_pos]).mean() <= self.filters.garment_duplicate_colour:
                    parent[root(items[int(b_pos)])] = root(a)
        groups: dict[Any, list] = {}
        for i in rows:
            groups.setdefault(root(i), []).append(i)
        shared = 0
        for members in groups.values():
            label = min(str(frame.at[i, "garment_sha256"]) for i in members)[:16]
            frame.loc[members, "clean_garment_group"] = label
            if len({frame.at[i, "garment_sha256"] for i in members}) > 1:
                shared += 1
        return shared


def _value(row: pd.Series, column: str, default: float) -> float:
    value = row.get(column)
    return default if value is None or pd.isna(value) else float(value)


def _explain(reason: str, row: pd.Series, f: CleanFilters) -> str:
    """The measured value against its threshold, for the row's detail."""
    get = row.get
    texts = {
        "too_short": (
            f"{get('num_frames')} frames, {get('duration_s')}s (need {f.min_frames} frames, {f.min_duration_s}s)"
        ),
        "fps_out_of_range": f"{get('fps')} fps (allowed {f.min_fps}-{f.max_fps})",
        "too_small": f"{get('width')}x{get('height')} (need at least {f.min_width}x{f.min_height})",
        "wrong_orientation": f"{get('width')}x{get('height')} is not {f.orientation}",
        "static": f"motion {get('clean_motion')} < {f.min_motion}",
        "blurry": f"sharpness {get('clean_sharpness')} < {f.min_sharpness}",
        "garment_too_small": f"garment side {get('clean_garment_side')} < {f.min_garment_side}",
        "garment_background": f"plain border {get('clean_garment_background')} < {f.min_garment_background}",
        "blank_garment": f"garment image {get('garment_url')} is blank or uniform (grey-level spread "
        f"{get('clean_garment_contrast')} < {f.min_garment_contrast})",
        "duplicate_video": f"near-duplicate of {get('clean_duplicate_of')}",
    }
    return texts.get(reason, reason)


def _resample(values: list[int], count: int = 8) -> list[int]:
    if len(values) == count:
        return values
    pick = np.linspace(0, len(values) - 1, num=count).round().astype(int)
    return [values[i] for i in pick]
