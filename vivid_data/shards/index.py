"""Read and check a dataset against its ``dataset.json``; list its shards by split."""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vivid_data.confine import confined, is_plain_relative
from vivid_data.schema import SAMPLE_ID_PATTERN
from vivid_data.store import sha256_file

#: a member's suffix after its key: ``video.mp4``, ``json``, ``garment_mask.png`` (no path, no "..")
MEMBER_SUFFIX = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")


class DatasetIndexError(ValueError):
    pass


def load_index(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if path.is_dir():
        path = path / "dataset.json"
    if not path.is_file():
        raise DatasetIndexError(f"{path}: dataset index not found")
    try:
        index = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DatasetIndexError(f"{path}: not a JSON dataset index ({exc})") from exc
    if index.get("format") != "vivid-webdataset":
        raise DatasetIndexError(f"{path}: not a vivid-webdataset index")
    _check_names(path, index)
    index["_root"] = str(path.parent)
    return index


SPLIT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def _check_names(path: Path, index: dict[str, Any]) -> None:
    """Split names are plain words and shard paths stay under the index's folder (symlinks followed):
    every reader and writer joins them to a folder (the export writes ``<category>/<split>_pairs.txt``)."""
    splits = index.get("splits")
    if not isinstance(splits, dict):
        raise DatasetIndexError(f"{path}: 'splits' must be an object of split name -> shards")
    for split, info in splits.items():
        if not isinstance(split, str) or not SPLIT_NAME.match(split):
            raise DatasetIndexError(f"{path}: split name {split!r} is not a plain name (letters, digits, _ and -)")
        for shard in (info or {}).get("shards", []):
            where = shard.get("path") if isinstance(shard, dict) else shard
            if not isinstance(where, str) or not is_plain_relative(where) or confined(path.parent, where) is None:
                raise DatasetIndexError(f"{path}: shard path {where!r} of split {split} leaves {path.parent}; refused")


def shard_paths(index: dict[str, Any], split: str) -> list[str]:
    if split not in index["splits"]:
        raise DatasetIndexError(f"split {split!r} not in the dataset (has {sorted(index['splits'])})")
    root = Path(index["_root"])
    return [str(root / shard["path"]) for shard in index["splits"][split]["shards"]]


def split_member_name(path: str | Path, member: tarfile.TarInfo) -> tuple[str, str]:
    """(key, suffix) of a shard member, or DatasetIndexError naming the shard and the member.

    Our shards hold regular files named ``<sample id>.<suffix>`` only: a name with a path
    separator, ``..``, an absolute path or a link is refused, so no reader is led outside its folder.
    """
    name = member.name
    key, _, suffix = name.partition(".")
    if not member.isfile():
        raise DatasetIndexError(f"{path}: member {name!r} is not a regular file")
    if "/" in name or "\\" in name or not SAMPLE_ID_PATTERN.match(key) or not MEMBER_SUFFIX.match(suffix):
        raise DatasetIndexError(
            f"{path}: member name {name!r} is not <sample id>.<suffix> (path separators, "
            "'..' and absolute paths are refused)"
        )
    return key, suffix


def shard_samples(path: str | Path, only: Iterable[str] | None = None):
    """(key, {member suffix: bytes}) for each sample of a shard, in order, one sample in memory at a time.

    ``only`` reads just those members (e.g. ``("json",)``); the others are skipped unread.
    """
    wanted = set(only) if only is not None else None
    with tarfile.open(path, "r:") as tar:
        current, members = None, {}
        for member in tar:
            key, suffix = split_member_name(path, member)
            if key != current and current is not None:
                yield current, members
                members = {}
            current = key
            if wanted is None or suffix in wanted:
                handle = tar.extractfile(member)
                if handle is not None:  # None: not a regular file
                    members[suffix] = handle.read()
        if current is not None:
            yield current, members


Span = tuple[int, int]  # a member's data offset and size in its tar


def member_spans(path: str | Path) -> dict[str, dict[str, Span]]:
    """Per sample key, where each member's bytes lie (headers only are read), for reading one sample later."""
    samples: dict[str, dict[str, Span]] = {}
    with tarfile.open(path, "r:") as tar:
        for member in tar:
            key, suffix = split_member_name(path, member)
            samples.setdefault(key, {})[suffix] = (member.offset_data, member.size)
    return samples


def read_spans(path: str | Path, spans: dict[str, Span]) -> dict[str, bytes]:
    """Members read by offset, without scanning the tar's headers again."""
    with open(path, "rb") as handle:
        out = {}
        for name, (offset, size) in spans.items():
            handle.seek(offset)
            out[name] = handle.read(size)
    return out


def tar_keys(path: Path) -> list[str]:
    """Sample keys in a shard, in order; raises on a truncated or corrupt tar, and DatasetIndexError on a
    member that is a link or whose name is a path (what the loader refuses, verify refuses too)."""
    keys: list[str] = []
    with tarfile.open(path, "r:") as tar:
        for member in tar:
            key, _ = split_member_name(path, member)
            if not keys or keys[-1] != key:
                keys.append(key)
    return keys


def verify_dataset(path: str | Path) -> list[str]:
    """Every shard exists with the recorded size, sha256 and sample count; returns the problems."""
    index = load_index(path)
    root = Path(index["_root"])
    problems = []
    for _split, info in index["splits"].items():
        for shard in info["shards"]:
            file = root / shard["path"]
            if not file.is_file():
                problems.append(f"{shard['path']}: missing")
                continue
            if file.stat().st_size != shard["bytes"]:
                problems.append(f"{shard['path']}: {file.stat().st_size} bytes, index says {shard['bytes']}")
                continue
            if sha256_file(file) != shard["sha256"]:
                problems.append(f"{shard['path']}: sha256 differs from the index (altered)")
                continue
            try:
                count = len(tar_keys(file))
            except DatasetIndexError as exc:
                problems.append(str(exc))
                continue
            except (tarfile.TarError, OSError) as exc:
                problems.append(f"{shard['path']}: unreadable tar ({exc})")
                continue
            if count != shard["count"]:
                problems.append(f"{shard['path']}: {count} samples, index says {shard['count']}")
    return problems
