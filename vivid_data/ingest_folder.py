"""Ingest the pairs of a folder scan: copy into the content store, probe, and record one row per pair."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from vivid_data.formats.folder_pair import FolderPair, FolderScan
from vivid_data.schema import SampleRecord, make_sample_id
from vivid_data.sniff import sniff_file
from vivid_data.store import ContentStore, StoredObject
from vivid_data.video import MediaError, image_size, probe_video

STAGE = "ingest"


def config_hash(config: dict) -> str:
    """Short stable hash of a stage config; a row is redone only when this changes."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _store(store: ContentStore, path: Path) -> StoredObject:
    kind = sniff_file(path) if path.stat().st_size else None
    suffix = kind if kind and kind != "html" else (path.suffix.lstrip(".").lower() or "bin")
    return store.put_file(path, suffix)


def ingest_pair(pair: FolderPair, store: ContentStore, stage_hash: str) -> SampleRecord:
    """One row for one pair. Bad media become a ``rejected`` row with the reason, never an exception."""
    video = _store(store, pair.video)
    garment = _store(store, pair.garment)
    record = SampleRecord(
        sample_id=make_sample_id(video.sha256, garment.sha256),
        category=pair.category,
        product_id=pair.product_id,
        video_name=pair.video.name,
        garment_name=pair.garment.name,
        video=video.key,
        garment=garment.key,
        video_sha256=video.sha256,
        garment_sha256=garment.sha256,
        video_url=pair.provenance.get("video_url") or pair.video.as_uri(),
        garment_url=pair.provenance.get("garment_url") or pair.garment.as_uri(),
        license=pair.provenance.get("license"),
        attribution=pair.provenance.get("attribution"),
        split=pair.split,
    )
    for modality, path in sorted(pair.extras.items()):
        setattr(record, modality, _store(store, path).key)
    problems = []
    try:
        info = probe_video(store.path(video.key), name=str(pair.video))
        record.num_frames, record.fps = info.num_frames, info.fps
        record.width, record.height = info.width, info.height
        record.duration_s, record.codec = info.duration_s, info.codec
    except MediaError as exc:
        problems.append((f"video_{exc.problem}", str(exc)))
    try:
        record.garment_width, record.garment_height = image_size(store.path(garment.key), name=str(pair.garment))
    except MediaError as exc:
        problems.append((f"garment_{exc.problem}", str(exc)))
    entry = {"status": "ok", "config_hash": stage_hash, "origin": pair.origin}
    if problems:
        record.status, record.reason = "rejected", problems[0][0]
        entry.update(status="rejected", reason=problems[0][0], detail="; ".join(d for _, d in problems))
    record.stages = {STAGE: entry}
    return record


@dataclass
class IngestResult:
    records: list[SampleRecord]
    duplicates: list[str] = field(default_factory=list)
    bytes_stored: int = 0


def ingest_scan(scan: FolderScan, store: ContentStore, stage_config: dict, progress: bool = True) -> IngestResult:
    """Ingest every pair of ``scan``; a pair seen twice (same video and garment bytes) is kept once."""
    stage_hash = config_hash(stage_config)
    result = IngestResult(records=[])
    seen: dict[str, SampleRecord] = {}
    for pair in tqdm(scan.pairs, desc="ingest", unit="pair", disable=not progress):
        record = ingest_pair(pair, store, stage_hash)
        if record.sample_id in seen:
            first = seen[record.sample_id]
            note = "" if first.split == record.split else f" (splits {first.split} and {record.split}: leakage)"
            result.duplicates.append(
                f"{pair.origin}: same video and garment as {first.stages[STAGE]['origin']}{note}"
            )
            continue
        seen[record.sample_id] = record
        result.records.append(record)
    result.bytes_stored = sum(p.stat().st_size for p in store.root.rglob("*") if p.is_file()) if store.root.exists() else 0
    return result
