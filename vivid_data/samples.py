"""The samples of one split of a built dataset, read lazily: for users who run their own method.

    from vivid_data.samples import split_samples

    for sample in split_samples("work/dataset", split="test"):
        frames = sample.video()                  # uint8 (T, H, W, 3), decoded now
        garment = sample.image("garment.jpg")    # uint8 (H, W, 3)
        sample.sample_id, sample.category, sample.fps

Shards are indexed first (tar headers and the small ``json`` member only); a member's bytes are
read by offset when asked for, and checked against the sha256 the shard writer recorded
(``verify=False`` skips the check). Members are named in :mod:`vivid_data.shards.members`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vivid_data.shards.index import Span, load_index, member_spans, read_spans, shard_paths
from vivid_data.shards.members import BY_NAME, META, VIDEO, Member
from vivid_data.video import decode_video, read_image


class MemberChecksumError(ValueError):
    """A member whose bytes do not match the sha256 recorded in its sample's json (a flipped byte, a bad copy)."""


@dataclass
class ShardSample:
    sample_id: str
    shard: Path
    spans: dict[str, Span]
    meta: dict = field(default_factory=dict)

    @property
    def category(self) -> str:
        return str(self.meta.get("category"))

    @property
    def fps(self) -> float:
        return float(self.meta.get("fps") or 24.0)

    @property
    def num_frames(self) -> int:
        return int(self.meta.get("num_frames") or 0)

    def has(self, member: str | Member) -> bool:
        return _name(member) in self.spans

    def read(self, member: str | Member, verify: bool = True) -> bytes:
        """A member's bytes; with ``verify``, checked against the recorded sha256."""
        name = _name(member)
        if name not in self.spans:
            raise KeyError(f"{self.shard}: sample {self.sample_id} has no {name}")
        data = read_spans(self.shard, {name: self.spans[name]})[name]
        expected = (self.meta.get("sha256") or {}).get(name)
        if verify and expected and hashlib.sha256(data).hexdigest() != expected:
            raise MemberChecksumError(
                f"{self.shard}: {self.sample_id}.{name}: sha256 differs from the one recorded "
                "in the sample's json (corrupt member)"
            )
        return data

    def video(self, member: str | Member = VIDEO, verify: bool = True) -> np.ndarray:
        name = _name(member)
        return decode_video(self.read(name, verify), name=f"{self.shard}:{self.sample_id}.{name}")

    def image(self, member: str | Member, verify: bool = True) -> np.ndarray:
        name = _name(member)
        return read_image(self.read(name, verify), name=f"{self.shard}:{self.sample_id}.{name}")


def _name(member: str | Member) -> str:
    name = member.name if isinstance(member, Member) else member
    if name not in BY_NAME:
        raise KeyError(f"unknown shard member {name!r}; members are {', '.join(BY_NAME)}")
    return name


def shard_index(path: str | Path) -> dict[str, ShardSample]:
    """The samples of one shard by key, with their metadata (headers and json members only)."""
    path = Path(path)
    out = {}
    for key, spans in member_spans(path).items():
        meta = json.loads(read_spans(path, {META.name: spans[META.name]})[META.name]) if META.name in spans else {}
        out[key] = ShardSample(key, path, spans, meta)
    return out


def sample_index(dataset: str | Path, split: str = "test") -> dict[str, ShardSample]:
    """Every sample of a split by sample id (a dataset.json or its folder)."""
    samples: dict[str, ShardSample] = {}
    for path in shard_paths(load_index(dataset), split):
        samples.update(shard_index(path))
    return samples


def split_samples(dataset: str | Path, split: str = "test") -> Iterator[ShardSample]:
    """The samples of a split in sample-id order, each read lazily."""
    samples = sample_index(dataset, split)
    for key in sorted(samples):
        yield samples[key]
