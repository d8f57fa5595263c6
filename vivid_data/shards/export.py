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
from vivid_data.shards.members import AGNOSTIC_MASK, CONTENT_MEMBERS, GARMENT, META, VIDEO
from vivid_data.subsets import load_subset
from vivid_data.video import decode_video, encode_mask_video, encode_video

#: member -> (folder in a category, file name field, manifest column for the format rules)
FOLDERS = {
    m.name: (EXPORT_FOLDERS[m.column][0], EXPORT_FOLDERS[m.column][1], m.column)
    for m in CONTENT_MEMBERS
    if m.column in EXPORT_FOLDERS
}


def _plan(index: dict, windows: dict[str, tuple[int, int]] | None = None) -> dict[str, tuple[str, str]]:
    """The file names each sample exports under, from the samples' json members only.

    With ``windows`` (a subset) only those samples, and each video name carries its frame range:
    one video cut at two places gives two files.
    """
    root = Path(index["_root"])
    items = []
    for _split, info in index["splits"].items():
        for shard in info["shards"]:
            for key, members in shard_samples(root / shard["path"], only=(META.name,)):
                if windows is not None and key not in windows:
                    continue
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
    names = export_names(items)
    if windows is not None:
        names = {key: (_windowed_name(video, windows[key]), garment) for key, (video, garment) in names.items()}
    return names


def _windowed_name(name: str, window: tuple[int, int]) -> str:
    path = Path(name)
    return f"{path.stem}_f{window[0]}-{window[1]}{path.suffix}"


def _cut(data: bytes, member: str, window: tuple[int, int], fps: float, name: str) -> bytes:
    """The frames [start, end) of a video member, re-encoded (masks stay binary)."""
    frames = decode_video(data, indices=range(window[0], window[1]), name=name)  # only the window's frames
    if member == AGNOSTIC_MASK.name:
        return encode_mask_video(frames[..., 0] > 127, fps=fps)
    return encode_video(frames, fps=fps, crf=18, reproducible=True)


def export_shards(dataset: str | Path, out_root: str | Path, subset: str | Path | None = None) -> Path:
    """All splits of ``dataset`` in the released layout under ``out_root`` (built aside, then renamed).

    ``subset`` (a built subset's name or json): only its samples, every video cut to its window.
    """
    index = load_index(dataset)
    root = Path(index["_root"])
    windows = None
    if subset is not None:
        windows = load_subset(dataset, subset).ranges()
    names = _plan(index, windows)
    target = Path(out_root)
    with atomic_directory(target) as staging:
        pairs: dict[Path, list[tuple[str, str]]] = defaultdict(list)
        metadata = []
        for split, info in index["splits"].items():
            for shard in info["shards"]:
                for key, members in shard_samples(root / shard["path"]):
                    if windows is not None and key not in windows:
                        continue
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
                        data = members[member]
                        if windows is not None and member.endswith(".mp4"):
                            data = _cut(
                                data, member, windows[key], float(meta["fps"]), f"{shard['path']}:{key}.{member}"
                            )
                        write_member(destination, data, column)
                    pairs[folder / f"{split}_pairs.txt"].append((video_name, garment_name))
                    entry = provenance(meta, meta["category"], key, **file_names)
                    if windows is not None:
                        entry["frames"] = list(windows[key])  # the range of the sample's video it was cut from
                    metadata.append(entry)
        write_pairs_and_metadata(staging, pairs, metadata)
    return target
