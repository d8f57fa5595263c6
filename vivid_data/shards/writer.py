"""Write a dataset as WebDataset tars per split, each shard under a temporary name until complete.

The plan (which sample goes into which shard) is a pure function of the manifest and the
config, so a killed run recomputes the same plan and rewrites only the shards whose
completion record is missing or different.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import webdataset as wds
from tqdm import tqdm

from vivid_data import __version__
from vivid_data.atomic import atomic_write_text, named_os_error, temp_name
from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.manifest_stream import RowSource, column_names, count_rows, hold_rows_at, iter_rows, read_columns
from vivid_data.schema import CATEGORIES, SPLITS
from vivid_data.shards.members import ALL_MEMBERS, CONTENT_MEMBERS
from vivid_data.shards.splits import assign_splits, check_no_leakage, leakage_groups, unpaired_partners
from vivid_data.stages.base import jsonable
from vivid_data.store import ContentStore, sha256_file
from vivid_data.video import encode_image, read_image, read_mask

#: manifest column -> member name in a sample (from the one member table)
MEMBERS = tuple((m.column, m.name) for m in CONTENT_MEMBERS)
META_COLUMNS = (
    "sample_id",
    "category",
    "product_id",
    "video_name",
    "garment_name",
    "fps",
    "num_frames",
    "width",
    "height",
    "duration_s",
    "video_url",
    "garment_url",
    "license",
    "attribution",
    "split",
    "setting",
    "video_sha256",
    "garment_sha256",
)
SCORE_PREFIXES = ("clean_", "pose_", "parse_")
#: score columns that stay in the manifest: the duplicate checks' hashes and thumbnails
UNSHARDED_SUFFIXES = ("_phash", "_thumb")
TAR_OVERHEAD = 1024  # header and padding per member, for the size plan
INDEX = "dataset.json"


@dataclass
@defaults_from("shard/default.yaml")
class ShardConfig:
    out_dir: str
    maxcount: int = FROM_YAML
    maxsize: int = FROM_YAML
    test_fraction: float = FROM_YAML
    seed: int = FROM_YAML
    split_mode: str = FROM_YAML  # auto | recompute | keep
    name: str | None = FROM_YAML  # recorded in dataset.json; vivid-eval's default dataset label
    hold_out: list[str] = FROM_YAML  # published benchmarks whose clips never go to train
    benchmark_dir: str | None = FROM_YAML  # where their lists are (vivid-benchmarks); default as vivid-eval
    config: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # read (and hash-check) the held-out lists when the build starts, not after every stage ran
        self.held_clips = held_out_clips(self.hold_out, self.benchmark_dir)


def _member_bytes(store: ContentStore, column: str, key: str) -> bytes:
    """The stored bytes, converted where the member's format is fixed (JPEG garment, PNG mask)."""
    data = store.read_bytes(key)
    if column == "garment" and not key.endswith(".jpg"):
        return encode_image(read_image(data), "JPEG", quality=95)
    if column == "garment_mask" and not key.endswith(".png"):
        return encode_image(read_mask(data), "PNG")
    return data


def sample_members(row: dict, store: ContentStore) -> dict[str, Any]:
    sample: dict[str, Any] = {"__key__": row["sample_id"]}
    hashes = {}
    for column, member in MEMBERS:
        key = jsonable(row.get(column))
        if key:
            sample[member] = _member_bytes(store, column, key)
            hashes[member] = hashlib.sha256(sample[member]).hexdigest()
    meta = {c: jsonable(row.get(c)) for c in META_COLUMNS}
    meta["scores"] = {
        c: jsonable(v)
        for c, v in row.items()
        if c.startswith(SCORE_PREFIXES)
        and not c.endswith(UNSHARDED_SUFFIXES)
        and isinstance(jsonable(v), (int, float, str))
    }
    meta["sha256"] = hashes
    sample["json"] = json.dumps(meta, sort_keys=True).encode()
    return sample


def _planned_size(row: dict, store: ContentStore) -> int:
    return sum(store.path(row[c]).stat().st_size + TAR_OVERHEAD for c, _ in MEMBERS if jsonable(row.get(c))) + 4096


def planned_sizes(manifest: RowSource, positions: pd.Index, store: ContentStore) -> np.ndarray:
    """Bytes each sample will take in a shard (its members' store files) by manifest position."""
    wanted = np.zeros(count_rows(manifest), dtype=bool)
    wanted[positions.to_numpy(dtype=np.int64)] = True
    sizes = np.zeros(len(wanted), dtype=np.int64)
    for position, row in enumerate(iter_rows(manifest, [c for c, _ in MEMBERS])):
        if wanted[position]:
            sizes[position] = _planned_size(row, store)
    return sizes


def plan_shards(frame: pd.DataFrame, sizes: np.ndarray, config: ShardConfig) -> dict[str, list[list[int]]]:
    """Per split, the list of shards, each a list of manifest row positions, in a seeded order."""
    plan: dict[str, list[list[int]]] = {}
    for split in SPLITS:
        part = frame[frame["split"] == split]
        ranks = [hashlib.sha256(f"{config.seed}:{sid}".encode()).hexdigest() for sid in part["sample_id"]]
        positions = [int(p) for _, p in sorted(zip(ranks, part.index))]
        shards: list[list[int]] = []
        current: list[int] = []
        size = 0
        for position in positions:
            needed = int(sizes[position])
            if current and (len(current) >= config.maxcount or size + needed > config.maxsize):
                shards.append(current)
                current, size = [], 0
            current.append(position)
            size += needed
        if current:
            shards.append(current)
        plan[split] = shards
    return plan


def _write_shard(path: Path, rows: Iterable[dict], store: ContentStore) -> dict[str, Any]:
    """Write rows to ``path`` through a temporary file of its own; return its completion record.

    A failure (a full disk, a missing store object) removes the temporary file and names the shard.
    """
    tmp = temp_name(path)
    keys: list[str] = []
    try:
        with open(tmp, "xb") as handle:
            writer = wds.TarWriter(handle, encoder=False, mtime=0)
            for row in rows:  # one row at a time: a shard's rows are never all dicts at once
                writer.write(sample_members(row, store))
                keys.append(row["sample_id"])
            writer.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise named_os_error(exc, path) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return {
        "keys": keys,
        "count": len(keys),
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
    }


def _record_path(shard: Path) -> Path:
    return shard.with_name(f".{shard.name}.done.json")


def prepare_splits(frame: pd.DataFrame, config: ShardConfig) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Only ok samples; splits kept from the source when complete and leak-free (``auto``), else assigned."""
    frame = frame[frame["status"] == "ok"].copy()
    if config.split_mode not in ("auto", "recompute", "keep"):
        raise ValueError(f"shard.split_mode must be auto, recompute or keep, got {config.split_mode!r}")
    complete = frame["split"].isin(SPLITS).all() and len(frame) > 0
    leaks = check_no_leakage(frame) if complete else ["splits missing"]
    if config.split_mode == "keep" or (config.split_mode == "auto" and complete and not leaks):
        if config.split_mode == "keep" and not complete:
            raise ValueError("shard.split_mode=keep but some samples have no split")
        decision = "kept the source's splits"
    else:
        frame["split"] = assign_splits(frame, config.test_fraction, config.seed)
        decision = "assigned by group split" + (f" (source splits: {leaks[0]})" if complete and leaks else "")
    held = hold_out(frame, getattr(config, "held_clips", {}))
    remaining = check_no_leakage(frame)
    return frame, {"split_decision": decision, "leakage": remaining, **({"held_out": held} if held else {})}


def held_out_clips(names: list[str], folder: str | None) -> dict[str, set[tuple[str, str]]]:
    """(category, video file name) of every clip of each named published benchmark."""
    from vivid_data.benchmark_lists import load_definition

    return {
        name: {(c.category, c.video) for c in load_definition(name, "paired", folder).clips} for name in names or []
    }


def hold_out(frame: pd.DataFrame, clips: dict[str, set[tuple[str, str]]]) -> dict[str, Any]:
    """Put the benchmark clips, and every sample sharing a garment or source video with one, in the test
    split: a model trained on the train split has never seen a ViViD-S clip (nor its garment)."""
    if not clips or frame.empty:
        return {}
    keys = list(zip(frame["category"].astype(str), frame["video_name"].astype(str)))
    groups = leakage_groups(frame)
    report: dict[str, Any] = {}
    for name, listed in clips.items():
        hit = pd.Series([k in listed for k in keys], index=frame.index)
        touched = groups.isin(set(groups[hit]))
        moved = int((touched & (frame["split"] != "test")).sum())
        frame.loc[touched, "split"] = "test"
        report[name] = {"clips_found": int(hit.sum()), "clips_listed": len(listed), "moved_to_test": moved}
    return report


#: the manifest columns the split decision and the pairs files read (the rows are read shard by shard)
PLAN_COLUMNS = (
    "sample_id",
    "status",
    "category",
    "split",
    "garment_sha256",
    "video_sha256",
    "clean_garment_group",
    "clean_parent_id",
    "video_name",
    "garment_name",
    "setting",
)
#: rows read from the manifest at once while writing shards (more when one shard holds more), held
#: as Arrow without the hash and thumbnail columns (~1 KB a row): ~1 MB whatever the dataset's size
ROWS_PER_READ = 1024


def write_dataset(manifest: RowSource, store: ContentStore, config: ShardConfig, progress: bool = True) -> Path:
    """Shards, pairs files and ``dataset.json``; returns the index path.

    ``manifest`` is a frame or a parquet manifest; only the columns the plan needs are held for
    every sample, whole rows are read for a few shards at a time.
    """
    out = Path(config.out_dir)
    frame, split_notes = prepare_splits(read_columns(manifest, PLAN_COLUMNS), config)
    plan = plan_shards(frame, planned_sizes(manifest, frame.index, store), config)
    index: dict[str, Any] = {
        "format": "vivid-webdataset",
        "format_version": 1,
        "toolkit_version": __version__,
        "name": config.name or out.resolve().parent.name,
        "members": [m.name for m in ALL_MEMBERS],
        "config": config.config or {k: v for k, v in vars(config).items() if k not in ("config", "held_clips")},
        **split_notes,
        "splits": {},
    }
    total = sum(len(s) for shards in plan.values() for s in shards)
    # what a shard's samples carry: every column but the hashes and thumbnails of the duplicate checks
    shard_columns = [c for c in column_names(manifest) if not c.endswith(UNSHARDED_SUFFIXES)]
    with tqdm(total=total, desc="shard", unit="sample", disable=not progress) as bar:
        for split, shards in plan.items():
            folder = out / "shards" / split
            folder.mkdir(parents=True, exist_ok=True)
            paths = [folder / f"{split}-{number:06d}.tar" for number in range(len(shards))]
            records = [
                _complete_record(path, [str(frame.at[p, "sample_id"]) for p in rows])
                for path, rows in zip(paths, shards)
            ]
            todo = [number for number, record in enumerate(records) if record is None]
            for chunk in _chunks(todo, shards):
                rows = hold_rows_at(manifest, [p for number in chunk for p in shards[number]], shard_columns)
                for number in chunk:
                    shard_rows = ({**rows[p], "split": split} for p in shards[number])
                    records[number] = _write_shard(paths[number], shard_rows, store)
                    atomic_write_text(_record_path(paths[number]), json.dumps(records[number]))
                del rows
            entries = []
            for path, record, rows_of_shard in zip(paths, records, shards):
                assert record is not None
                entries.append(
                    {
                        "path": path.relative_to(out).as_posix(),
                        "count": record["count"],
                        "bytes": record["bytes"],
                        "sha256": record["sha256"],
                    }
                )
                bar.update(len(rows_of_shard))
            for stale in sorted(folder.glob(f"{split}-*.tar"))[len(shards) :]:
                stale.unlink()
                _record_path(stale).unlink(missing_ok=True)
            part = frame[frame["split"] == split]
            index["splits"][split] = {
                "count": len(part),
                "categories": {c: int((part["category"] == c).sum()) for c in CATEGORIES},
                "shards": entries,
            }
    index["pairs"] = write_pairs(frame, out, config.seed)
    atomic_write_text(out / INDEX, json.dumps(index, indent=2, sort_keys=True) + "\n")
    return out / INDEX


def _complete_record(path: Path, keys: list[str]) -> dict[str, Any] | None:
    """The shard's completion record when the shard on disk holds exactly ``keys``, else None."""
    record_file = _record_path(path)
    if not (record_file.is_file() and path.is_file()):
        return None
    record = json.loads(record_file.read_text())
    return record if record.get("keys") == keys and record.get("bytes") == path.stat().st_size else None


def _chunks(numbers: list[int], shards: list[list[int]]) -> list[list[int]]:
    """Shards to write, grouped so that one read of the manifest serves at most ``ROWS_PER_READ`` rows."""
    chunks: list[list[int]] = []
    size = 0
    for number in numbers:
        if not chunks or size + len(shards[number]) > ROWS_PER_READ:
            chunks.append([])
            size = 0
        chunks[-1].append(number)
        size += len(shards[number])
    return chunks


def write_pairs(frame: pd.DataFrame, out: Path, seed: int) -> dict[str, str]:
    """Test pairs in ViViD's format per category (paired and unpaired), and by sample id (jsonl)."""
    from vivid_data.formats.pairs import format_pairs

    test = frame[frame["split"] == "test"].sort_values("sample_id")
    partners = unpaired_partners(test, seed)
    by_id = test.set_index("sample_id")
    written = {}
    for category in CATEGORIES:
        part = test[test["category"] == category]
        if part.empty:
            continue
        worn = part if "setting" not in part else part[part["setting"].fillna("paired") != "unpaired"]
        paired = format_pairs(zip(worn["video_name"], worn["garment_name"]))
        unpaired = format_pairs(
            (v, by_id.at[partners[s], "garment_name"])
            for s, v in zip(part["sample_id"], part["video_name"])
            if s in partners
        )
        for name, text in (
            (f"pairs/{category}/test_pairs.txt", paired),
            (f"pairs/{category}/test_pairs_unpaired.txt", unpaired),
        ):
            atomic_write_text(out / name, text)
            written[name] = f"{category} test, {'unpaired' if 'unpaired' in name else 'paired'}"
    # a sample's own garment is its paired setting, unless the source says the video wears another one
    own = test["setting"].fillna("paired") if "setting" in test else pd.Series("paired", index=test.index)
    lines = [
        json.dumps({"sample_id": s, "category": c, "garment_sample_id": s, "setting": setting})
        for s, c, setting in zip(test["sample_id"], test["category"], own)
    ]
    lines += [
        json.dumps({"sample_id": s, "category": by_id.at[s, "category"], "garment_sample_id": g, "setting": "unpaired"})
        for s, g in sorted(partners.items())
    ]
    atomic_write_text(out / "pairs" / "test.jsonl", "".join(line + "\n" for line in lines))
    written["pairs/test.jsonl"] = "test pairs by sample id (paired and unpaired)"
    return written
