"""ViViD's released dataset layout: ``<category>/{videos,images,densepose,agnostic_mask}`` + pairs files.

We read and write two extra folders, ``agnostic/`` and ``cloth_mask/`` (named as in the
inference layout), and a ``metadata.jsonl`` with provenance; official loaders ignore them.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd

from vivid_data.atomic import atomic_directory
from vivid_data.confine import confined
from vivid_data.formats.export_names import ExportItem, export_names
from vivid_data.formats.folder_pair import FolderPair, FolderScan, product_id_from_name
from vivid_data.formats.pairs import PairLine, PairsFileError, format_pairs, read_pairs_file
from vivid_data.manifest import validate_manifest
from vivid_data.schema import CATEGORIES, SPLITS
from vivid_data.store import ContentStore
from vivid_data.video import encode_image, read_image, read_mask

VIDEO_EXTRAS = ("agnostic", "agnostic_mask", "densepose")
IMAGE_EXTRAS = {"garment_mask": "cloth_mask"}
UNSPLIT_PAIRS = "all_pairs.txt"
METADATA_FILE = "metadata.jsonl"
#: manifest column -> (folder in a category, file name column)
EXPORT_FOLDERS = {
    "video": ("videos", "video_name"),
    "agnostic": ("agnostic", "video_name"),
    "agnostic_mask": ("agnostic_mask", "video_name"),
    "densepose": ("densepose", "video_name"),
    "garment": ("images", "garment_name"),
    "garment_mask": ("cloth_mask", "garment_name"),
}
PROVENANCE_FIELDS = ("video_url", "garment_url", "license", "attribution", "product_id")


def is_release_layout(root: Path) -> bool:
    return any((root / category / "videos").is_dir() for category in CATEGORIES)


def read_metadata(root: Path) -> dict[tuple[str, str, str], dict]:
    """Provenance written by our export, keyed by (category, video file, garment file)."""
    path = root / METADATA_FILE
    if not path.is_file():
        return {}
    table = {}
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            table[(entry["category"], entry["video_name"], entry["garment_name"])] = entry
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{line_no}: bad metadata line ({exc})") from exc
    return table


def scan_release_layout(root: Path) -> FolderScan:
    """Every line of every ``<category>/<split>_pairs.txt``; unknown category folders are an error."""
    scan = FolderScan(root=root, layout="release")
    unknown = sorted(
        p.name for p in root.iterdir() if p.is_dir() and p.name not in CATEGORIES and (p / "videos").is_dir()
    )
    if unknown:
        raise ValueError(f"{root}: unknown category folder(s) {unknown}; expected only {', '.join(CATEGORIES)}")
    metadata = read_metadata(root)
    for category in CATEGORIES:
        if (root / category).is_dir():
            _scan_category(scan, root, category, metadata)
    return scan


def _scan_category(scan: FolderScan, root: Path, category: str, metadata: dict) -> None:
    """The pairs of one category folder into ``scan``; its videos no pairs file mentions are ``unpaired``."""
    folder = root / category
    mentioned: set[str] = set()
    pair_files = sorted(folder.glob("*_pairs.txt"))
    if not pair_files and (folder / "videos").is_dir():
        scan.problems.append(f"{category}/: no train_pairs.txt or test_pairs.txt")
    for pair_file in pair_files:
        split_name = pair_file.name[: -len("_pairs.txt")]
        try:
            lines = read_pairs_file(pair_file)
        except PairsFileError as exc:
            scan.problems.append(str(exc))
            continue
        for line in lines:
            if line.category in (None, category):
                mentioned.add(line.video)
            origin = f"{category}/{pair_file.name}:{line.line_no}"
            pair = _pair_of_line(root, category, line, origin, metadata, split_name, scan.problems)
            if pair is not None:
                scan.pairs.append(pair)
    if (folder / "videos").is_dir():
        scan.unpaired.extend(
            f"{category}/videos/{p.name}" for p in sorted((folder / "videos").glob("*.mp4")) if p.name not in mentioned
        )


def _pair_of_line(
    root: Path, category: str, line: PairLine, origin: str, metadata: dict, split_name: str, problems: list[str]
) -> FolderPair | None:
    """One pairs-file line as a pair with the extras found beside it, or None with the problem noted."""
    folder = root / category
    if line.category not in (None, category):
        problems.append(f"{origin}: category column {line.category!r} inside {category}/")
        return None
    video, garment = confined(folder, "videos", line.video), confined(folder, "images", line.garment)
    if video is None or garment is None:
        bad = line.video if video is None else line.garment
        problems.append(
            f"{origin}: {bad!r} resolves outside {root}; refused (paths in a pairs file stay in the folder)"
        )
        return None
    missing = [
        f"{category}/{sub}/{name}"
        for sub, name, p in (("videos", line.video, video), ("images", line.garment, garment))
        if not p.is_file()
    ]
    if missing:
        problems.append(f"{origin}: missing {', '.join(missing)}")
        return None
    extras = {n: p for n in VIDEO_EXTRAS if (p := confined(folder, n, line.video)) is not None and p.is_file()}
    for modality, sub in IMAGE_EXTRAS.items():
        if (p := confined(folder, sub, line.garment)) is not None and p.is_file():
            extras[modality] = p
    meta = metadata.get((category, line.video, line.garment), {})
    return FolderPair(
        category=category,
        video=video,
        garment=garment,
        origin=origin,
        split=split_name if split_name in SPLITS else None,
        product_id=meta.get("product_id") or product_id_from_name(line.garment),
        extras=extras,
        provenance={k: meta[k] for k in PROVENANCE_FIELDS if meta.get(k)},
    )


class ExportError(ValueError):
    """Rows that cannot be written to the released layout; lists them all."""


def write_pairs_and_metadata(root: Path, pairs: dict[Path, list[tuple[str, str]]], metadata: list[dict]) -> None:
    """The pairs files and ``metadata.jsonl`` of a released-layout folder being built at ``root``."""
    for pair_file, entries in pairs.items():
        pair_file.parent.mkdir(parents=True, exist_ok=True)
        pair_file.write_text(format_pairs(entries), encoding="utf-8")
    lines = "".join(json.dumps(entry, sort_keys=True) + "\n" for entry in metadata)
    (root / METADATA_FILE).write_text(lines, encoding="utf-8")


def provenance(values: dict, category: str, sample_id: str, video_name: str, garment_name: str) -> dict:
    entry = {"category": category, "video_name": video_name, "garment_name": garment_name, "sample_id": sample_id}
    entry.update({k: values[k] for k in PROVENANCE_FIELDS if values.get(k) is not None and values.get(k) is not pd.NA})
    return entry


def export_release_layout(
    manifest: pd.DataFrame,
    store: ContentStore,
    out_root: str | os.PathLike,
    statuses: tuple[str, ...] = ("ok",),
) -> Path:
    """Write the samples with the given statuses in ViViD's released layout, all or nothing.

    The folder is assembled under a temporary name and renamed at the end, so a failed
    export leaves no partial dataset. Pairs go to ``<split>_pairs.txt`` (``all_pairs.txt``
    for samples without a split). File names are made safe and unique per content
    (:mod:`vivid_data.formats.export_names`); garment images and masks are written as JPEG.
    """
    frame = validate_manifest(manifest, "<export manifest>")
    frame = frame[frame["status"].isin(statuses)]
    rows = frame.sort_values("sample_id").to_dict(orient="records")
    missing = [
        f"{row['sample_id']}: {column} {row[column]} is not in the store"
        for row in rows
        for column in EXPORT_FOLDERS
        if _present(row[column]) and not store.has(row[column])
    ]
    if missing:
        raise ExportError(f"{out_root}: cannot export, store objects missing:\n  " + "\n  ".join(missing[:20]))
    names = export_names(
        [
            ExportItem(
                r["sample_id"],
                r["category"],
                r["video_name"],
                r["garment_name"],
                r["video_sha256"] or r["video"],
                r["garment_sha256"] or r["garment"],
            )
            for r in rows
        ]
    )
    target = Path(out_root)
    with atomic_directory(target) as staging:
        pairs: dict[Path, list[tuple[str, str]]] = {}
        metadata: list[dict] = []
        for row in rows:
            category = row["category"]
            video_name, garment_name = names[row["sample_id"]]
            file_names = {"video_name": video_name, "garment_name": garment_name}
            for column, (folder, name_column) in EXPORT_FOLDERS.items():
                if not _present(row[column]):
                    continue
                destination = staging / category / folder / file_names[name_column]
                if destination.exists():
                    continue  # the same content under the same name (one video, several garments)
                destination.parent.mkdir(parents=True, exist_ok=True)
                write_member(destination, store.path(row[column]), column)
            split = row["split"] if row["split"] in SPLITS else None
            pair_file = staging / category / (f"{split}_pairs.txt" if split else UNSPLIT_PAIRS)
            pairs.setdefault(pair_file, []).append((video_name, garment_name))
            metadata.append(provenance(row, category, row["sample_id"], video_name, garment_name))
        write_pairs_and_metadata(staging, pairs, metadata)
    return target


def _present(value) -> bool:
    return value is not None and value is not pd.NA and not (isinstance(value, float) and value != value)


def write_member(destination: Path, source: Path | bytes, column: str) -> None:
    """Copy a stored file, as JPEG where the released layout expects JPEG (garment images and masks)."""
    data = source if isinstance(source, bytes) else None
    if column in ("garment", "garment_mask"):
        raw = source if isinstance(source, bytes) else source.read_bytes()
        if not raw.startswith(b"\xff\xd8\xff"):  # not JPEG yet (a PNG mask, a WebP product shot)
            array = read_mask(raw) if column == "garment_mask" else read_image(raw)
            raw = encode_image(array, "JPEG", quality=100 if column == "garment_mask" else 95)
        destination.write_bytes(raw)
    elif data is not None:
        destination.write_bytes(data)
    else:
        shutil.copyfile(source, destination)
