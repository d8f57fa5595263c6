"""What ``vivid-generate`` dresses: the test split of a built dataset or a ViViD folder with a pairs file.

Each sample brings its agnostic video and mask, its pose video (DensePose by default, as the
published model was trained; the rendered skeleton with ``pose_input=pose``) and a garment with
its mask: its own garment (paired) or the partner's from the dataset's unpaired test pairs.
Frames are decoded lazily, one sample at a time.
"""

from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from vivid_data.formats.pairs import read_pairs_file
from vivid_data.shards.index import load_index
from vivid_data.video import decode_video, read_image, read_mask

POSE_INPUTS = ("densepose", "pose")


class SampleError(ValueError):
    pass


@dataclass
class GenerationSample:
    sample_id: str
    garment_id: str
    fps: float
    load: Callable[[], dict[str, np.ndarray]]   # video, agnostic, agnostic_mask, pose, garment, garment_mask


def _tar_members(path: Path) -> dict[str, dict[str, bytes]]:
    samples: dict[str, dict[str, bytes]] = {}
    with tarfile.open(path, "r:") as tar:
        for member in tar:
            key, _, suffix = member.name.partition(".")
            samples.setdefault(key, {})[suffix] = tar.extractfile(member).read()
    return samples


def _mask_frames(frames: np.ndarray) -> np.ndarray:
    return (frames[..., 0] > 127).astype(np.uint8) * 255


def dataset_samples(index_path: str | Path, split: str = "test", setting: str = "paired",
                    pose_input: str = "densepose") -> Iterator[GenerationSample]:
    index = load_index(index_path)
    root = Path(index["_root"])
    partners: dict[str, str] = {}
    if setting == "unpaired":
        pairs = root / "pairs" / f"{split}.jsonl"
        if not pairs.is_file():
            raise SampleError(f"{pairs}: no unpaired test pairs (written by the shard stage)")
        for line in pairs.read_text().splitlines():
            row = json.loads(line)
            if row["setting"] == "unpaired":
                partners[row["sample_id"]] = row["garment_sample_id"]
        if not partners:
            raise SampleError(f"{pairs}: no unpaired pair (each category of the {split} split needs two samples)")
    members: dict[str, tuple[Path, dict[str, bytes]]] = {}
    for shard in index["splits"][split]["shards"]:
        path = root / shard["path"]
        members.update({key: (path, sample) for key, sample in _tar_members(path).items()})
    for key in sorted(members):
        path, sample = members[key]
        garment_key = partners.get(key, key) if setting == "unpaired" else key
        if setting == "unpaired" and key not in partners:
            continue
        if garment_key not in members:
            raise SampleError(f"{path}: garment sample {garment_key} of {key} is not in the {split} split")
        missing = [m for m in ("video.mp4", "agnostic.mp4", "agnostic_mask.mp4", f"{pose_input}.mp4") if m not in sample]
        if missing:
            raise SampleError(f"{path}: sample {key} has no {', '.join(missing)}"
                              + (" (pose_input=pose uses the rendered skeleton)" if pose_input == "densepose" else ""))
        meta = json.loads(sample["json"])
        garment_sample = members[garment_key][1]

        def load(sample=sample, garment_sample=garment_sample, key=key, path=path) -> dict[str, np.ndarray]:
            name = lambda member: f"{path}:{key}.{member}"  # noqa: E731
            return {"video": decode_video(sample["video.mp4"], name=name("video.mp4")),
                    "agnostic": decode_video(sample["agnostic.mp4"], name=name("agnostic.mp4")),
                    "agnostic_mask": _mask_frames(decode_video(sample["agnostic_mask.mp4"], name=name("agnostic_mask.mp4"))),
                    "pose": decode_video(sample[f"{pose_input}.mp4"], name=name(f"{pose_input}.mp4")),
                    "garment": read_image(garment_sample["garment.jpg"], name=f"{path}:{garment_key}.garment.jpg"),
                    "garment_mask": read_mask(garment_sample["garment_mask.png"]).astype(np.uint8) * 255}

        yield GenerationSample(key, garment_key, float(meta.get("fps") or 24.0), load)


def folder_samples(folder: str | Path, pairs: str | Path, pose_input: str = "densepose") -> Iterator[GenerationSample]:
    """A ViViD inference-layout folder (videos/, agnostic/, agnostic_mask/, densepose/, cloth/, cloth_mask/)."""
    from vivid_data.video import probe_video

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
                    "garment_mask": read_mask(files["garment_mask"]).astype(np.uint8) * 255}

        yield GenerationSample(stem, Path(line.garment).stem, probe_video(files["video"]).fps, load)
