"""Training loader: clips of aligned modalities from WebDataset shards, decoded in memory with decord.

Only the frames of the chosen clip are decoded, from the mp4 bytes in the tar (no temporary
files). A sample that cannot be decoded is skipped and counted; it never ends an epoch.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import webdataset as wds

from vivid_data.schema import CATEGORIES
from vivid_data.shards.index import load_index, shard_paths
from vivid_data.shards.members import (
    AGNOSTIC,
    AGNOSTIC_MASK,
    DENSEPOSE,
    GARMENT,
    GARMENT_MASK,
    META,
    POSE,
    TRYON_MEMBERS,
    VIDEO,
)
from vivid_data.subsets import load_subset
from vivid_data.video import MediaError, decode_video, read_image, read_mask

#: output name -> video member (from the one member table)
VIDEO_MEMBERS = {m.column: m.name for m in (VIDEO, AGNOSTIC, POSE, DENSEPOSE)}
CROPS = ("resize", "center", "random")


@dataclass
class ClipConfig:
    clip_len: int = 24
    stride: int = 1
    size: tuple[int, int] = (512, 384)  # (H, W)
    crop: str = "resize"  # resize | center | random
    densepose: bool = False  # require and return the DensePose video
    pose: bool = True  # require and return the rendered pose video
    seed: int = 0
    verify_hashes: bool = True  # check each member against the sha256 in the sample's json

    def __post_init__(self) -> None:
        if self.crop not in CROPS:
            raise ValueError(f"crop must be one of {CROPS}, got {self.crop!r}")
        if self.clip_len < 1 or self.stride < 1:
            raise ValueError("clip_len and stride must be at least 1")
        self.size = (int(self.size[0]), int(self.size[1]))


class SkipCounter:
    """Skipped samples by reason, shared by DataLoader workers (forked) through shared memory."""

    REASONS = ("corrupt", "checksum", "too_short", "missing_member", "unreadable_shard")

    def __init__(self) -> None:
        self._values = {r: multiprocessing.Value("l", 0) for r in self.REASONS}

    def add(self, reason: str) -> None:
        with self._values[reason].get_lock():
            self._values[reason].value += 1

    def counts(self) -> dict[str, int]:
        return {r: int(v.value) for r, v in self._values.items()}

    @property
    def total(self) -> int:
        return sum(self.counts().values())


def _decode_size(height: int, width: int, config: ClipConfig) -> tuple[int, int]:
    """(H, W) to decode at: the target itself, or the smallest size covering it at the video's aspect."""
    target_h, target_w = config.size
    if config.crop == "resize":
        return target_h, target_w
    scale = max(target_h / height, target_w / width)
    return max(target_h, int(round(height * scale))), max(target_w, int(round(width * scale)))


class ClipDecoder:
    """A WebDataset sample (raw bytes) -> a dict of tensors, or None when it must be skipped."""

    def __init__(self, config: ClipConfig, counter: SkipCounter, windows: dict[str, tuple[int, int]] | None = None):
        self.config = config
        self.counter = counter
        self.epoch = 0
        self.windows = windows  # a subset's [start, end) per sample id: clips come from inside them

    def _rng(self, key: str) -> np.random.Generator:
        return np.random.default_rng([self.config.seed, self.epoch, zlib.crc32(key.encode())])

    def __call__(self, sample: dict[str, Any]) -> dict[str, Any] | None:
        key = sample.get("__key__", "?")
        needed = [META.name, *(m.name for m in TRYON_MEMBERS)]
        needed += [m.name for m in (POSE, DENSEPOSE) if getattr(self.config, m.column)]
        if any(name not in sample for name in needed):
            self.counter.add("missing_member")
            return None
        try:
            meta = json.loads(sample[META.name])
            if self.config.verify_hashes and not _hashes_match(sample, meta, needed):
                self.counter.add("checksum")
                return None
            return self._decode(key, meta, sample)
        except _TooShort:
            self.counter.add("too_short")
        except (MediaError, ValueError, KeyError, IndexError, RuntimeError, OSError):
            self.counter.add("corrupt")
        return None

    def _decode(self, key: str, meta: dict, sample: dict) -> dict[str, Any]:
        config = self.config
        rng = self._rng(key)
        span = (config.clip_len - 1) * config.stride + 1
        first, last = self.windows[key] if self.windows else (0, int(meta["num_frames"]))
        if last - first < span:
            raise _TooShort()
        start = first + int(rng.integers(0, last - first - span + 1))
        indices = list(range(start, start + span, config.stride))
        height, width = _decode_size(int(meta["height"]), int(meta["width"]), config)
        target_h, target_w = config.size
        top = left = 0
        if config.crop == "center":
            top, left = (height - target_h) // 2, (width - target_w) // 2
        elif config.crop == "random":
            top, left = int(rng.integers(0, height - target_h + 1)), int(rng.integers(0, width - target_w + 1))

        def clip(member: str) -> np.ndarray:
            frames = decode_video(sample[member], indices=indices, size=(height, width), name=f"{key}.{member}")
            return frames[:, top : top + target_h, left : left + target_w]

        def as_signed(frames: np.ndarray) -> torch.Tensor:
            # convert while contiguous (much faster than after the permute), then view as (T, C, H, W)
            return as_float(frames).div_(127.5).sub_(1.0).permute(0, 3, 1, 2)

        out: dict[str, Any] = {
            name: as_signed(clip(member))
            for name, member in VIDEO_MEMBERS.items()
            if name not in ("pose", "densepose") or getattr(config, name)
        }
        mask = clip(AGNOSTIC_MASK.name)[..., :1] > 127
        out["agnostic_mask"] = as_float(mask).permute(0, 3, 1, 2)
        garment = _resize_image(read_image(sample[GARMENT.name], name=f"{key}.{GARMENT.name}"), (target_h, target_w))
        out["garment"] = torch.from_numpy(garment).permute(2, 0, 1).float().div_(127.5).sub_(1.0)
        garment_mask = _resize_image(read_mask(sample[GARMENT_MASK.name]).astype(np.uint8) * 255, (target_h, target_w))
        out["garment_mask"] = torch.from_numpy(garment_mask > 127)[None].float()
        out.update(
            key=key,
            category=meta["category"],
            category_id=CATEGORIES.index(meta["category"]),
            frame_indices=torch.tensor(indices),
            fps=float(meta["fps"]),
        )
        return out


class _TooShort(Exception):
    pass


def _hashes_match(sample: dict[str, Any], meta: dict, names: list[str]) -> bool:
    """Every member that the json records a sha256 for has exactly those bytes."""
    recorded = meta.get("sha256") or {}
    return all(hashlib.sha256(sample[name]).hexdigest() == recorded[name] for name in names if name in recorded)


def as_float(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array)).to(torch.float32)


def _resize_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA)


def resolve_urls(source: str | Path | Sequence[str], split: str) -> list[str]:
    """Shard URLs from a dataset.json (or its folder), or given directly (paths or any URL webdataset opens)."""
    if isinstance(source, (list, tuple)):
        return [str(s) for s in source]
    text = str(source)
    if text.endswith(".json") or Path(text).is_dir():
        return shard_paths(load_index(text), split)
    return [text]


def _subset_windows(source: str | Path | Sequence[str], split: str, subset: str | Path) -> dict[str, tuple[int, int]]:
    """A built subset's windows by sample id; the subset must come from this split of this dataset."""
    if not isinstance(source, (str, Path)):
        raise ValueError("subset= needs the dataset (its dataset.json or folder) as source, not a list of shards")
    chosen = load_subset(source, subset)
    if chosen.rule.split != split:
        raise ValueError(f"subset {chosen.rule.name} was selected from the {chosen.rule.split} split, not {split}")
    return chosen.ranges()


class ClipDataset(torch.utils.data.IterableDataset):
    """Iterable over decoded clips of one split; use with ``torch.utils.data.DataLoader``.

    Shards are split across nodes (``torch.distributed`` rank) and DataLoader workers; with
    ``shuffle`` the shard order and a sample buffer of ``shuffle_buffer`` are shuffled (seeded).
    ``set_epoch`` changes shuffles and clip starts from one epoch to the next.
    """

    def __init__(
        self,
        source: str | Path | Sequence[str],
        split: str = "train",
        config: ClipConfig | None = None,
        shuffle: bool = True,
        shuffle_buffer: int = 100,
        subset: str | Path | None = None,
    ) -> None:
        super().__init__()
        self.urls = resolve_urls(source, split)
        self.config = config or ClipConfig()
        self.shuffle = shuffle
        self.shuffle_buffer = shuffle_buffer
        self.skipped = SkipCounter()
        self.windows = _subset_windows(source, split, subset) if subset is not None else None
        self.decoder = ClipDecoder(self.config, self.skipped, self.windows)

    def set_epoch(self, epoch: int) -> None:
        self.decoder.epoch = epoch

    def _unreadable(self, exc: BaseException) -> bool:
        """A truncated or unreadable shard: counted, warned about, and the epoch goes on."""
        self.skipped.add("unreadable_shard")
        return wds.warn_and_continue(exc)

    def _pipeline(self) -> wds.WebDataset:
        seed = self.config.seed + 1000 * self.decoder.epoch
        dataset = wds.WebDataset(
            self.urls,
            handler=self._unreadable,
            shardshuffle=len(self.urls) if self.shuffle else False,
            nodesplitter=wds.split_by_node,
            workersplitter=wds.split_by_worker,
            empty_check=False,
            seed=seed,
        )
        if self.windows is not None:
            windows = self.windows
            dataset = dataset.select(lambda sample: sample.get("__key__") in windows)
        if self.shuffle and self.shuffle_buffer > 1:
            dataset = dataset.shuffle(self.shuffle_buffer, rng=random.Random(seed))
        return dataset.map(self.decoder).select(lambda sample: sample is not None)

    def __iter__(self):
        return iter(self._pipeline())


def make_loader(
    source,
    split: str = "train",
    batch_size: int = 1,
    num_workers: int = 0,
    config: ClipConfig | None = None,
    shuffle: bool = True,
    subset: str | Path | None = None,
    **kwargs,
) -> torch.utils.data.DataLoader:
    dataset = ClipDataset(source, split, config, shuffle=shuffle, subset=subset)
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, num_workers=num_workers, **kwargs)
