"""What ``vivid-generate`` dresses: the test split of a built dataset or a ViViD folder with a pairs file.

Each sample brings its agnostic video and mask, its pose video (DensePose by default, as the
published model was trained; the rendered skeleton with ``pose_input=pose``) and a garment with
its mask: its own garment (paired) or the partner's from the dataset's unpaired test pairs.
Frames are decoded lazily, one sample at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vivid_data.formats.pairs import read_pairs_file
from vivid_data.samples import sample_index
from vivid_data.shards.index import load_index
from vivid_data.shards.members import AGNOSTIC, AGNOSTIC_MASK, GARMENT, GARMENT_MASK, VIDEO, pose_member
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
    load: Callable[[], dict[str, np.ndarray]]  # video, agnostic, agnostic_mask, pose, garment, garment_mask


def _mask_frames(frames: np.ndarray) -> np.ndarray:
    """The red channel of decoded mask frames, grey levels kept: the pipeline binarises them as published."""
    return np.ascontiguousarray(frames[..., 0])


def dataset_samples(
    index_path: str | Path, split: str = "test", setting: str = "paired", pose_input: str = "densepose"
) -> Iterator[GenerationSample]:
    check_pose_input(pose_input)
    index = load_index(index_path)
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
    members = sample_index(index_path, split)
    pose = pose_member(pose_input)
    for key in sorted(members):
        sample = members[key]
        if setting == "unpaired" and key not in partners:
            continue
        garment_key = partners[key] if setting == "unpaired" else key
        if garment_key not in members:
            raise SampleError(f"{sample.shard}: garment sample {garment_key} of {key} is not in the {split} split")
        missing = [m.name for m in (VIDEO, AGNOSTIC, AGNOSTIC_MASK, pose) if not sample.has(m)]
        if missing:
            raise SampleError(
                f"{sample.shard}: sample {key} has no {', '.join(missing)}"
                + (" (pose_input=pose uses the rendered skeleton)" if pose_input == "densepose" else "")
            )

        def load(sample=sample, worn=members[garment_key]) -> dict[str, np.ndarray]:
            return {
                "video": sample.video(VIDEO),
                "agnostic": sample.video(AGNOSTIC),
                "agnostic_mask": _mask_frames(sample.video(AGNOSTIC_MASK)),
                "pose": sample.video(pose),
                "garment": worn.image(GARMENT),
                "garment_mask": worn.image(GARMENT_MASK)[..., 0],
            }

        yield GenerationSample(key, garment_key, sample.fps, load)


def folder_samples(folder: str | Path, pairs: str | Path, pose_input: str = "densepose") -> Iterator[GenerationSample]:
    """A ViViD inference-layout folder (videos/, agnostic/, agnostic_mask/, densepose/, cloth/, cloth_mask/)."""
    from vivid_data.video import probe_video

    check_pose_input(pose_input)
    folder = Path(folder)
    pose_folder = "densepose" if pose_input == "densepose" else "pose"
    for line in read_pairs_file(pairs):
        stem = Path(line.video).stem
        files = {
            "video": folder / "videos" / line.video,
            "agnostic": folder / "agnostic" / line.video,
            "agnostic_mask": folder / "agnostic_mask" / line.video,
            "pose": folder / pose_folder / line.video,
            "garment": folder / "cloth" / line.garment,
            "garment_mask": folder / "cloth_mask" / line.garment,
        }
        absent = [str(p) for p in files.values() if not p.is_file()]
        if absent:
            raise SampleError(f"{pairs}: {line.video} / {line.garment}: missing {', '.join(absent)}")

        def load(files=files) -> dict[str, np.ndarray]:
            return {
                "video": decode_video(files["video"]),
                "agnostic": decode_video(files["agnostic"]),
                "agnostic_mask": _mask_frames(decode_video(files["agnostic_mask"])),
                "pose": decode_video(files["pose"]),
                "garment": read_image(files["garment"]),
                "garment_mask": read_image(files["garment_mask"])[..., 0],
            }  # .convert("RGB"), red, as published

        yield GenerationSample(stem, Path(line.garment).stem, probe_video(files["video"]).fps, load)
