"""Stage ``clean``: score every sample, then filter by thresholds (score first, filter second).

Scores are computed once per (sample, scoring config) and kept as ``clean_*`` columns; the
thresholds in ``filters`` are applied afterwards over the whole manifest, so changing a
threshold re-filters without decoding anything again. Cross-sample checks (near-duplicate
videos, duplicate garment images) also run there.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.executors.base import StageResources
from vivid_data.manifest_stream import iter_batches, iter_rows_at, rows_at
from vivid_data.quality.cuts import content_scores, cuts_from_scores, segments_around
from vivid_data.quality.fades import fade_frames
from vivid_data.quality.scores import (
    contrast,
    motion_score,
    plain_background_ratio,
    sharpness,
    thumbnail,
    video_hashes,
)
from vivid_data.quality.transnet import TransNetV2Cuts, edge_transitions, transitions
from vivid_data.schema import make_sample_id
from vivid_data.stages.base import Row, outcome, stage_records
from vivid_data.store import ContentStore
from vivid_data.union_find import UnionFind
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
    trim_fades: bool = FROM_YAML
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
        self._filtered: Counter = Counter()  # threshold rejections counted by settle(), reported by finalize()
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
        # transnetv2 confirms transitions at the clip's ends with the HSV change (cut_threshold)
        unused = ("cut_ratio",) if self.cuts == "transnetv2" else ("cut_probability",)
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
        fade_in, fade_out = fade_frames(frames) if self.trim_fades else (0, 0)
        garment_scores.update(clean_fade_in=fade_in, clean_fade_out=fade_out)
        # fades are runs of frames that belong to no shot, as a dissolve's are
        fades = [run for run in ((0, fade_in), (len(frames) - fade_out, len(frames))) if run[1] > run[0]]
        if not runs and not fades:
            return [self._scored(row, frames, 0, garment_scores)]
        where = ", ".join(str(end) if end - start <= 1 else f"{start}-{end - 1}" for start, end in runs)
        if fades:
            where = ", ".join(filter(None, [where, f"fades over frames {', '.join(f'{a}-{b - 1}' for a, b in fades)}"]))
        segments = [
            (a, b) for a, b in segments_around(sorted(runs + fades), len(frames)) if b - a >= self.min_segment_frames
        ]
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
            runs = transitions(probabilities, self.cut_probability)
            # a transition a few frames from either end (where the network sees padding) counts when the frames
            # themselves change as at a cut; the short piece beyond it is then trimmed, never kept in the shot
            change = content_scores(frames)
            runs += [
                (start, end)
                for start, end in edge_transitions(probabilities, self.cut_probability)
                if 0 < end < len(frames) and change[end - 1] >= self.cut_threshold
            ]
            return sorted(runs), peak
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
    def _checks(self) -> list[tuple[str, Callable[[Row], bool]]]:
        f = self.filters
        return [
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

    def settle(self, row: Row) -> Row:
        """The thresholds, applied to one scored row in the main process (no decoding): a changed
        threshold re-filters every row without recomputing a score. Also names the row's garment
        group (its own garment until :meth:`finalize` finds the same product shot elsewhere)."""
        if row.get("clean_garment_phash") is not None:
            row = {**row, "clean_garment_group": str(row.get("garment_sha256"))[:16]}
        if row.get("status") != "ok" or self.name not in stage_records(row.get("stages")):
            return row
        for reason, failed in self._checks():
            try:
                bad = bool(failed(row))
            except (TypeError, ValueError, KeyError) as exc:  # a missing or malformed score: this row only
                detail = f"{row.get('video_url')}: check {reason} could not be applied ({exc})"
                self._filtered["bad_scores"] += 1
                return {**row, **self._rejection(row, "bad_scores", status="failed", detail=detail)}
            if bad:
                self._filtered[reason] += 1
                return {**row, **self._rejection(row, reason)}
        return row

    def finalize(self, manifest: Path) -> tuple[dict[int, Row | None], dict[str, Any]]:
        """Cross-row decisions over the assembled manifest, read a few columns at a time."""
        groups, shared = self._garment_groups(manifest)
        edits: dict[int, Row | None] = dict(groups)
        duplicates = self._duplicate_videos(manifest, groups)
        if duplicates:
            rows = rows_at(manifest, duplicates, columns=["stages", "video_url", "status", "reason"])
            for position, original in duplicates.items():
                change = {"clean_duplicate_of": original}
                row = {**rows[position], **change}
                edits[position] = {
                    **(edits.get(position) or {}),
                    **change,
                    **self._rejection(row, "duplicate_video", duplicate_of=original),
                }
        filtered, self._filtered = dict(self._filtered), Counter()
        notes = {"filtered": filtered, "duplicate_videos": len(duplicates), "garment_groups_shared": shared}
        return edits, notes

    def _rejection(self, row: Row, reason: str, status: str = "rejected", detail: str | None = None, **extra) -> Row:
        """The columns that make ``row`` a rejection for ``reason`` (its stage record says so too)."""
        stages = stage_records(row.get("stages"))
        stages[self.name] = {**stages.get(self.name, {}), "status": status, "reason": reason, **extra}
        return {
            "status": status,
            "reason": reason,
            "detail": detail or f"{row.get('video_url')}: {_explain(reason, row, self.filters)}",
            "stages": json.dumps(stages, sort_keys=True),
        }

    def _duplicate_videos(self, manifest: Path, groups: dict[int, Row]) -> dict[int, str]:
        """Near-duplicate videos (re-encodes, resizes) with the same garment: keep the largest,
        longest, sharpest copy. One video with different garments (the unpaired test setting of
        ViViD's own examples) is not a duplicate. Returns position -> sample id of the copy kept.

        The manifest is read a batch at a time into arrays (hashes, sizes, ids: ~120 bytes a row)."""
        columns = ["status", "clean_video_phash", "width", "height", "num_frames", "clean_sharpness", "sample_id"]
        candidates = _VideoCandidates()
        position = 0
        for batch in iter_batches(manifest, [*columns, "clean_garment_group"]):
            for row in batch:
                if row.get("status") == "ok" and row.get("clean_video_phash"):
                    edit = groups.get(position)
                    candidates.add(
                        position, row, edit["clean_garment_group"] if edit else row.get("clean_garment_group")
                    )
                position += 1
        if len(candidates.positions) < 2:
            return {}
        order, hashes, garments, ids = candidates.sorted()
        kept: dict[int, list[int]] = {}  # garment -> ranks (in ``order``) of the copies kept so far
        found: dict[int, str] = {}
        for rank, position in enumerate(order):
            same_garment = kept.setdefault(int(garments[rank]), [])
            if same_garment:
                distances = np.bitwise_count(hashes[same_garment] ^ hashes[rank]).mean(axis=1)
                close = np.nonzero(distances <= self.filters.max_duplicate_distance)[0]
                if close.size:
                    found[int(position)] = ids[same_garment[int(close[0])]].decode()
                    continue
            same_garment.append(rank)
        return found

    def _garment_groups(self, manifest: Path) -> tuple[dict[int, Row], int]:
        """Garment images that are the same product shot share a group (labelled by the smallest
        garment hash among them). Returns the edit that labels each row in a group of two or more
        rows (one edit object per group), and how many groups hold different images.

        The comparison runs over distinct images (by their SHA-256), so a garment paired with many
        videos costs one comparison, and nothing is kept per pair: near images are joined as they
        are found. Held per row: position, hash prefix and shape hash (24 bytes); colour
        thumbnails only for distinct images with a near neighbour."""
        found = _GarmentImages()
        position = 0
        for batch in iter_batches(manifest, ["clean_garment_phash", "garment_sha256"]):
            for row in batch:
                found.add(position, row.get("clean_garment_phash"), row.get("garment_sha256"))
                position += 1
        images = found.distinct()
        if images.rows_per_image.sum() < 2:
            return {}, 0
        distance = self.filters.garment_duplicate_distance
        involved = sorted({i for pair in images.near_pairs(distance) for i in pair})
        thumbs = _thumbnails(manifest, {int(images.first_position[i]): i for i in involved})
        groups = UnionFind(len(images.keys))
        for a, b in images.near_pairs(distance):
            # the hash compares shapes; the colour thumbnail tells two prints of one cut apart
            if a not in thumbs or b not in thumbs:
                continue
            difference = np.abs(thumbs[b].astype(np.int16) - thumbs[a].astype(np.int16)).mean()
            if difference <= self.filters.garment_duplicate_colour:
                groups.union(a, b)
        roots = groups.roots()
        rows_in_group = np.bincount(roots, weights=images.rows_per_image, minlength=len(roots))
        images_in_group = np.bincount(roots, minlength=len(roots))
        smallest_key = np.full(len(roots), np.iinfo(np.uint64).max, dtype=np.uint64)
        np.minimum.at(smallest_key, roots, images.keys)
        edit_of_group = {
            int(group): {"clean_garment_group": f"{int(smallest_key[group]):016x}"}
            for group in np.nonzero(rows_in_group >= 2)[0]
        }
        row_group = roots[images.row_image]
        grouped = rows_in_group[row_group] >= 2
        edits: dict[int, Row] = {
            position: edit_of_group[group]
            for position, group in zip(images.row_position[grouped].tolist(), row_group[grouped].tolist())
        }
        shared = int(np.count_nonzero((rows_in_group >= 2) & (images_in_group > 1)))
        return edits, shared


class _Thumbnails:
    """Colour thumbnails of some images as rows of one uint8 array (768 bytes for 16x16 RGB)."""

    def __init__(self, images: list[int], size: int) -> None:
        self._slot = {image: slot for slot, image in enumerate(images)}
        self._found = np.zeros(len(images), dtype=bool)
        self._values = np.zeros((len(images), size), dtype=np.uint8)

    def put(self, image: int, value: bytes) -> None:
        if len(value) == self._values.shape[1]:  # another size cannot be compared: the image stays apart
            self._values[self._slot[image]] = np.frombuffer(value, np.uint8)
            self._found[self._slot[image]] = True

    def __contains__(self, image: int) -> bool:
        return image in self._slot and bool(self._found[self._slot[image]])

    def __getitem__(self, image: int) -> np.ndarray:
        return self._values[self._slot[image]]


def _thumbnails(manifest: Path, image_at: dict[int, int]) -> _Thumbnails:
    """The colour thumbnails of the images shown at these manifest positions, read a batch at a time."""
    thumbs: _Thumbnails | None = None
    for position, row in iter_rows_at(manifest, image_at, ["clean_garment_thumb"]):
        text = row.get("clean_garment_thumb")
        if not text:
            continue
        value = bytes.fromhex(text)
        if thumbs is None:
            thumbs = _Thumbnails(list(image_at.values()), len(value))
        thumbs.put(image_at[position], value)
    return thumbs or _Thumbnails([], 0)


class _GarmentImages:
    """Rows with a garment hash as arrays; :meth:`distinct` folds rows of one image together.

    An image is known by the first 64 bits of its SHA-256 (what its group label shows): two
    different images sharing them is a 1-in-10^8 chance at a million images."""

    def __init__(self) -> None:
        self.positions, self.keys, self.hashes = array("q"), array("Q"), array("Q")

    def add(self, position: int, phash: str | None, sha256: Any) -> None:
        if phash and isinstance(sha256, str) and len(sha256) >= 16:
            self.positions.append(position)
            self.keys.append(int(sha256[:16], 16))
            self.hashes.append(_unhex(phash)[0])

    def distinct(self) -> _DistinctImages:
        keys = np.frombuffer(self.keys, np.uint64) if self.keys else np.zeros(0, np.uint64)
        unique, first, row_image, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
        hashes = np.frombuffer(self.hashes, np.uint64) if self.hashes else np.zeros(0, np.uint64)
        positions = np.frombuffer(self.positions, np.int64) if self.positions else np.zeros(0, np.int64)
        return _DistinctImages(unique, hashes[first], positions[first], counts, positions, row_image.ravel())


@dataclass
class _DistinctImages:
    keys: np.ndarray  # (images,) uint64 SHA-256 prefixes, ascending
    hashes: np.ndarray  # (images,) uint64 shape hash (dHash)
    first_position: np.ndarray  # (images,) manifest position of a row showing the image
    rows_per_image: np.ndarray  # (images,)
    row_position: np.ndarray  # (rows,) manifest positions
    row_image: np.ndarray  # (rows,) index into ``keys``

    def near_pairs(self, distance: int) -> Iterator[tuple[int, int]]:
        """Pairs of distinct images whose shape hashes differ in at most ``distance`` bits, one at a time."""
        for a in range(len(self.hashes)):
            near = np.nonzero(np.bitwise_count(self.hashes[a + 1 :] ^ self.hashes[a]) <= distance)[0] + a + 1
            for b in near.tolist():
                yield a, b


class _VideoCandidates:
    """The ok rows with a video hash, as compact arrays, in the order duplicates are resolved."""

    def __init__(self) -> None:
        self.positions, self.hashes = array("q"), array("Q")
        self.area, self.frames, self.sharpness = array("q"), array("q"), array("d")
        self.ids: list[bytes] = []
        self.garments = array("q")
        self._garment_codes: dict[Any, int] = {}

    def add(self, position: int, row: Row, garment: Any) -> None:
        self.positions.append(position)
        self.hashes.extend(_resample(_unhex(row["clean_video_phash"])))
        self.area.append(int(row["width"]) * int(row["height"]))
        self.frames.append(int(row["num_frames"]))
        sharpness = row.get("clean_sharpness")
        self.sharpness.append(float("nan") if sharpness is None else float(sharpness))
        self.ids.append(str(row["sample_id"]).encode())
        self.garments.append(self._garment_codes.setdefault(garment, len(self._garment_codes)))

    def sorted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Positions, hashes (n x 8), garment codes and sample ids, largest, longest, sharpest first."""
        ids = np.array(self.ids)
        self.ids = []
        area, frames = np.frombuffer(self.area, np.int64), np.frombuffer(self.frames, np.int64)
        order = np.lexsort((ids, -np.frombuffer(self.sharpness, np.float64), -frames, -area))
        hashes = np.frombuffer(self.hashes, np.uint64).reshape(-1, 8)[order]
        positions = np.frombuffer(self.positions, np.int64)[order]
        return positions, hashes, np.frombuffer(self.garments, np.int64)[order], ids[order]


def _value(row: Row, column: str, default: float) -> float:
    value = row.get(column)
    return default if value is None or pd.isna(value) else float(value)


def _explain(reason: str, row: Row, f: CleanFilters) -> str:
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
