"""Write a sharded dataset back in ViViD's released layout (category folders and pairs files)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from vivid_data.atomic import atomic_directory
from vivid_data.formats.release_layout import provenance, write_pairs_and_metadata
from vivid_data.shards.index import load_index, shard_samples
from vivid_data.video import encode_image, read_mask

#: member -> (folder in a category, file name field)
FOLDERS = {
    "video.mp4": ("videos", "video_name"),
    "agnostic.mp4": ("agnostic", "video_name"),
    "agnostic_mask.mp4": ("agnostic_mask", "video_name"),
    "densepose.mp4": ("densepose", "video_name"),
    "garment.jpg": ("images", "garment_name"),
    "garment_mask.png": ("cloth_mask", "garment_name"),
}


def export_shards(dataset: str | Path, out_root: str | Path) -> Path:
    """All splits of ``dataset`` in the released layout under ``out_root`` (built aside, then renamed)."""
    index = load_index(dataset)
    root = Path(index["_root"])
    target = Path(out_root)
    with atomic_directory(target) as staging:
        pairs: dict[Path, list[tuple[str, str]]] = defaultdict(list)
        metadata = []
        for split, info in index["splits"].items():
            for shard in info["shards"]:
                for key, members in shard_samples(root / shard["path"]):
                    meta = json.loads(members["json"])
                    names = {"video_name": meta.get("video_name") or f"{key}.mp4",
                             "garment_name": meta.get("garment_name") or f"{key}.jpg"}
                    folder = staging / meta["category"]
                    for member, (sub, name_field) in FOLDERS.items():
                        if member not in members:
                            continue
                        data = members[member]
                        if member == "garment_mask.png":  # the released layout's masks share the garment's name
                            data = encode_image(read_mask(data), "JPEG", quality=100)
                        destination = folder / sub / names[name_field]
                        destination.parent.mkdir(parents=True, exist_ok=True)
                        destination.write_bytes(data)
                    pairs[folder / f"{split}_pairs.txt"].append((names["video_name"], names["garment_name"]))
                    metadata.append(provenance(meta, meta["category"], key, **names))
        write_pairs_and_metadata(staging, pairs, metadata)
    return target
