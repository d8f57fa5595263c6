"""What ``vivid-generate`` dresses: the test split of a built dataset or a ViViD folder with a pairs file.

Each sample brings its agnostic video and mask, its pose video (DensePose by default, as the
published model was trained; the rendered skeleton with ``pose_input=pose``) and a garment with
its mask: its own garment (paired) or the partner's from the dataset's unpaired test pairs.
Frames are decoded lazily, one sample at a time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from vivid_data.formats.pairs import read_pairs_file
from vivid_data.shards.index import Span, load_index, member_spans, read_spans, shard_paths
from vivid_data.video import decode_video, read_image

POSE_INPUTS = ("densepose", "pose")


class SampleError(ValueError):
    pass


def check_pose_input(pose_input: str) -> str:
    if pose_input not in POSE_INPUTS:
        raise SampleError(f"pose_input must be one of {POSE_INPUTS}, got {pose_input!r}")
    return pose_input


@dataclass
class GenerationSample:
    sample_id: str
    garment_id: str
    fps: float
    load: Callable[[], dict[str, np.ndarray]]   # video, agnostic, agnostic_mask, pose, garment, garment_mask


def _tar_index(path: Path) -> dict[str, tuple[dict[str, Span], dict]]:
    """Per sample key: where each member lies, and the sample's metadata (its small json member)."""
    spans = member_spans(path)
    return {key: (where, json.loads(read_spans(path, {"json": where["json"]})["json"]) if "json" in where else {})
            for key, where in spans.items()}


def _mask_frames(frames: np.ndarray) -> np.ndarray:
    """The red channel of decoded mask frames, grey levels kept: the pipeline binarises them as published."""
    return np.ascontiguousarray(frames[..., 0])


def dataset_samples(index_path: str | Path, split: str = "test", setting: str = "paired",
                    pose_input: str = "densepose") -> Iterator[GenerationSample]:
    check_pose_input(pose_input)
    index = load_index(index_path)
    paths = shard_paths(index, split)
    partners: dict[str, str] = {}
    if setting == "unpaired":
        pairs = Path(index["_root"]) / "pairs" / f"{split}.jsonl"
        if not pairs.is_file():
            raise SampleError(f"{pairs}: no unpaired test pairs (written by the shard stage)")
        for line in pairs.read_text().splitlines():
            row = json.loads(line)
            if row["setting"] == "unpaired":
                partners[row["sample_id"]] = row["garment_sample_id"]
        if not partners:
            raise SampleError(f"{pairs}: no unpaired pair (each category of the {split} split needs two samples)")
    members: dict[str, tuple[Path, set[str], dict]] = {}
    for path in map(Path, paths):
        members.update({key: (path, spans, meta) for key, (spans, meta) in _tar_index(path).items()})
    for key in sorted(members):
        path, spans, meta = members[key]
        if setting == "unpaired" and key not in partners:
            continue
        garment_key = partners[key] if setting == "unpaired" else key
        if garment_key not in members:
            raise SampleError(f"{path}: garment sample {garment_key} of {key} is not in the {split} split")
        missing = [m for m in ("video.mp4", "agnostic.mp4", "agnostic_mask.mp4", f"{pose_input}.mp4") if m not in spans]
        if missing:
            raise SampleError(f"{path}: sample {key} has no {', '.join(missing)}"
                              + (" (pose_input=pose uses the rendered skeleton)" if pose_input == "densepose" else ""))

        def load(key=key, path=path, spans=spans, garment_key=garment_key) -> dict[str, np.ndarray]:
            own = read_spans(path, {m: spans[m] for m in ("video.mp4", "agnostic.mp4", "agnostic_mask.mp4",
                                                           f"{pose_input}.mp4")})
            garment_path, garment_spans, _ = members[garment_key]
            worn = read_spans(garment_path, {m: garment_spans[m] for m in ("garment.jpg", "garment_mask.png")})
            video = lambda m: decode_video(own[m], name=f"{path}:{key}.{m}")  # noqa: E731
            return {"video": video("video.mp4"), "agnostic": video("agnostic.mp4"),
                    "agnostic_mask": _mask_frames(video("agnostic_mask.mp4")), "pose": video(f"{pose_input}.mp4"),
                    "garment": read_image(worn["garment.jpg"], name=f"{garment_path}:{garment_key}.garment.jpg"),
                    "garment_mask": read_image(worn["garment_mask.png"])[..., 0]}

        yield GenerationSample(key, garment_key, float(meta.get("fps") or 24.0), load)


def folder_samples(folder: str | Path, pairs: str | Path, pose_input: str = "densepose") -> Iterator[GenerationSample]:
    """A ViViD inference-layout folder (videos/, agnostic/, agnostic_mask/, densepose/, cloth/, cloth_mask/)."""
    from vivid_data.video import probe_video

    check_pose_input(pose_input)
    folder = Path(folder)
    pose_folder = "densepose" if pose_input == "densepose" else "pose"
    for line in read_pairs_file(pairs):
        stem = Path(line.video).stem
        files = {"video": folder / "videos" / line.video, "agnostic": folder / "agnostic" / line.video,
                 "agnostic_mask": folder / "agnostic_mask" / line.video, "pose": folder / pose_folder / line.video,
                 "garment": folder / "cloth" / line.garment, "garment_mask": folder / "cloth_mask" / line.garment}
        absent = [str(p) for p in files.values() if not p.is_file()]
        if absent:
            raise SampleError(f"{pairs}: {line.video} / {line.garment}: missing {', '.join(absent)}")

        def load(files=files) -> dict[str, np.ndarray]:
            return {"video": decode_video(files["video"]), "agnostic": decode_video(files["agnostic"]),
                    "agnostic_mask": _mask_frames(decode_video(files["agnostic_mask"])),
                    "pose": decode_video(files["pose"]), "garment": read_image(files["garment"]),
                    "garment_mask": read_image(files["garment_mask"])[..., 0]}  # .convert("RGB"), red, as published

        yield GenerationSample(stem, Path(line.garment).stem, probe_video(files["video"]).fps, load)
