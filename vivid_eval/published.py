"""References for a published benchmark definition (``subset=vivid_s``): exactly its clips and windows.

The references are a folder in ViViD's released layout (``<category>/videos/<video>``) or a
dataset built or imported from one (matched by category and video file name). Each listed
video is cut to its window; a listed clip whose video is not there is recorded as missing (the
result then covers fewer clips and the leaderboard says which), never silently dropped. File
names come from the list: every path is resolved and must stay inside the references folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from vivid_data.benchmark_lists import Clip, Definition
from vivid_data.confine import confined
from vivid_data.formats.release_layout import is_release_layout
from vivid_data.samples import sample_index
from vivid_data.shards.index import load_index
from vivid_data.shards.members import VIDEO
from vivid_data.video import MediaError, decode_video, probe_video
from vivid_eval.per_frame_sources import MASK_LOADER, sample_loaders

Reference = tuple[Callable[[], np.ndarray], dict[str, Any]]


class PublishedReferenceError(ValueError):
    pass


@dataclass
class PublishedReferences:
    references: dict[str, Reference]  # clip id -> (decode the window, facts)
    missing: list[str] = field(default_factory=list)  # listed clips with no reference video
    problems: list[str] = field(default_factory=list)

    def add(
        self,
        clip: Clip,
        definition: Definition,
        frames: int | None,
        where: str,
        extra: dict[str, Any],
        load: Callable[[], np.ndarray],
    ) -> None:
        """One listed clip found at ``where``: a reference cut to its window, or a problem when too short."""
        short = _too_short(clip, frames, where)
        if short:
            self.problems.append(short)
        else:
            self.references[clip.clip_id] = (load, _facts(clip, definition, frames, extra))


def _window(decode: Callable[..., np.ndarray], source: Any, start: int, end: int) -> np.ndarray:
    return decode(source, indices=range(start, end))


def _window_of_loaded(load: Callable[[], np.ndarray], start: int, end: int) -> np.ndarray:
    return load()[start:end]


def _facts(clip: Clip, definition: Definition, full_frames: int | None, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        **extra,
        "frames": clip.end - clip.start,
        "window": [clip.start, clip.end],
        "full_frames": full_frames,
        "category": clip.category,
        "garment": clip.garment,
        "subset": {"name": definition.entry.subset, "definition_sha256": definition.sha256},
    }


def _too_short(clip: Clip, frames: int | None, where: str) -> str | None:
    if frames is not None and frames < clip.end:
        return f"{where}: {frames} frames, but {clip.clip_id}'s window is [{clip.start}, {clip.end})"
    return None


def folder_references(definition: Definition, root: str | Path) -> PublishedReferences:
    """The listed clips found in a released-layout folder, each probed (frames, size, fps) and cut to its window."""
    root = Path(root)
    if not is_release_layout(root):
        raise PublishedReferenceError(
            f"{root}: {definition.entry.subset} needs ViViD's released layout (<category>/videos/<video>.mp4) "
            "or a dataset built from it"
        )
    out = PublishedReferences({})
    for clip in definition.clips:
        path = confined(root, clip.category, "videos", clip.video)
        if path is None:
            out.problems.append(f"{root}/{clip.category}/videos/{clip.video}: resolves outside {root}; refused")
            continue
        if not path.is_file():
            out.missing.append(clip.clip_id)
            continue
        try:
            info = probe_video(path)
        except MediaError as exc:
            out.problems.append(f"{clip.clip_id}: reference {exc}")
            continue
        extra: dict[str, Any] = {"path": str(path), "width": info.width, "height": info.height, "fps": info.fps}
        mask = confined(root, clip.category, "agnostic_mask", clip.video)
        if mask is not None and mask.is_file():  # released alongside every video: the region metrics use it
            extra[MASK_LOADER] = partial(_window, decode_video, mask, clip.start, clip.end)  # as the video
        load = partial(_window, decode_video, path, clip.start, clip.end)
        out.add(clip, definition, info.num_frames, str(path), extra, load)
    return out


def dataset_references(definition: Definition, dataset: str | Path) -> PublishedReferences:
    """The listed clips in a built dataset (any split), matched by category and the source's video file name."""
    index = load_index(dataset)
    by_name: dict[tuple[str, str], tuple[str, Any]] = {}
    for split in index["splits"]:
        for sample in sample_index(dataset, split).values():
            name = sample.meta.get("video_name")
            if name and sample.has(VIDEO):
                by_name[(str(sample.meta.get("category")), str(name))] = (split, sample)
    out = PublishedReferences({})
    for clip in definition.clips:
        found = by_name.get((clip.category, clip.video))
        if found is None:
            out.missing.append(clip.clip_id)
            continue
        split, sample = found
        meta = sample.meta
        extra = {
            "width": meta.get("width"),
            "height": meta.get("height"),
            "fps": meta.get("fps"),
            "sample_id": sample.sample_id,
            "split": split,
            "sha256": (meta.get("sha256") or {}).get(VIDEO.name),
            **sample_loaders(sample),
        }
        load = partial(_window_of_loaded, partial(sample.video, VIDEO), clip.start, clip.end)
        out.add(clip, definition, meta.get("num_frames"), f"{sample.shard}:{sample.sample_id}", extra, load)
    return out
