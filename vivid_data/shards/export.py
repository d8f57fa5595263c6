"""Write a sharded dataset back in ViViD's released layout (category folders and pairs files).

Names are made safe and unique per content (:mod:`vivid_data.formats.export_names`): two
products whose files are both called ``video.mp4`` get two files, and nothing a shard says
(member names, the names in its json) can place a file outside the export folder.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from vivid_data.atomic import atomic_directory
from vivid_data.formats.export_names import ExportItem, export_names
from vivid_data.formats.release_layout import EXPORT_FOLDERS, provenance, write_member, write_pairs_and_metadata
from vivid_data.schema import CATEGORIES
from vivid_data.shards.index import DatasetIndexError, load_index, shard_samples
from vivid_data.shards.members import CONTENT_MEMBERS, GARMENT, META, VIDEO

#: member -> (folder in a category, file name field, manifest column for the format rules)
FOLDERS = {
    m.name: (EXPORT_FOLDERS[m.column][0], EXPORT_FOLDERS[m.column][1], m.column)
    for m in CONTENT_MEMBERS
    if m.column in EXPORT_FOLDERS
}


def _plan(index: dict) -> dict[str, tuple[str, str]]:
    """The file names each sample exports under, from the samples' json members only."""
    root = Path(index["_root"])
    items = []
    for _split, info in index["splits"].items():
        for shard in info["shards"]:
            for key, members in shard_samples(root / shard["path"], only=(META.name,)):
                meta = json.loads(members[META.name])
                if meta.get("category") not in CATEGORIES:
                    raise DatasetIndexError(f"{shard['path']}: sample {key} has category {meta.get('category')!r}")
                hashes = meta.get("sha256") or {}
                items.append(
                    ExportItem(
                        key,
                        meta["category"],
                        meta.get("video_name"),
                        meta.get("garment_name"),
                        hashes.get(VIDEO.name) or meta.get("video_sha256") or key,
                        hashes.get(GARMENT.name) or meta.get("garment_sha256") or key,
                    )
                )
    return export_names(items)


def export_shards(dataset: str | Path, out_root: str | Path) -> Path:
    """All splits of ``dataset`` in the released layout under ``out_root`` (built aside, then renamed)."""
    index = load_index(dataset)
    root = Path(index["_root"])
    names = _plan(index)
    target = Path(out_root)
    with atomic_directory(target) as staging:
        pairs: dict[Path, list[tuple[str, str]]] = defaultdict(list)
        metadata = []
        for split, info in index["splits"].items():
            for shard in info["shards"]:
                for key, members in shard_samples(root / shard["path"]):
                    meta = json.loads(members[META.name])
                    video_name, garment_name = names[key]
                    file_names = {"video_name": video_name, "garment_name": garment_name}
                    folder = staging / meta["category"]
                    for member, (sub, name_field, column) in FOLDERS.items():
                        if member not in members:
                            continue
                        destination = folder / sub / file_names[name_field]
                        if destination.exists():
                            continue  # the same content under the same name (one video, several garments)
                        destination.parent.mkdir(parents=True, exist_ok=True)
                        write_member(destination, members[member], column)
                    pairs[folder / f"{split}_pairs.txt"].append((video_name, garment_name))
                    metadata.append(provenance(meta, meta["category"], key, **file_names))
        write_pairs_and_metadata(staging, pairs, metadata)
    return target
