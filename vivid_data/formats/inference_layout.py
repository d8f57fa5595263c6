"""ViViD's inference layout: ``videos/ agnostic/ agnostic_mask/ densepose/`` (mp4) and ``cloth/ cloth_mask/`` (jpg)."""

from __future__ import annotations

from pathlib import Path

import yaml

from vivid_data.confine import confined
from vivid_data.formats.folder_pair import FolderPair, FolderScan, product_id_from_name
from vivid_data.formats.pairs import read_pairs_file
from vivid_data.schema import CATEGORIES

VIDEO_EXTRAS = ("agnostic", "agnostic_mask", "densepose")
NAME_PREFIX_CATEGORY = {"upper": "upper_body", "lower": "lower_body", "dress": "dresses"}


def is_inference_layout(root: Path) -> bool:
    return (root / "videos").is_dir() and (root / "cloth").is_dir()


def category_from_name(name: str) -> str | None:
    """The official examples are named ``upper1``, ``lower1``: infer the category from that prefix."""
    stem = Path(name).stem.lower()
    for prefix, category in NAME_PREFIX_CATEGORY.items():
        if stem.startswith(prefix):
            return category
    return None


def _pairs_from_prompt_config(path: Path) -> list[tuple[str, str, str]]:
    """ViViD's ``configs/prompts/*.yaml`` tries every listed video with every listed cloth."""
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    videos = config.get("model_video_paths") or []
    cloths = config.get("cloth_image_paths") or []
    if not videos or not cloths:
        raise ValueError(f"{path}: a ViViD prompt config needs model_video_paths and cloth_image_paths")
    return [(Path(v).name, Path(c).name, f"{path.name}:{Path(v).name}+{Path(c).name}") for v in videos for c in cloths]


def scan_inference_layout(
    root: Path,
    pairs_file: Path | None = None,
    prompt_config: Path | None = None,
    category: str | None = None,
    split: str | None = None,
) -> FolderScan:
    """Pair videos and garments through a pairs file or a ViViD prompt config (one is required)."""
    scan = FolderScan(root=root, layout="inference")
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
    if pairs_file is None and prompt_config is None:
        raise ValueError(
            f"{root}: the inference layout does not say which garment goes with which video; "
            "give a pairs file (source.pairs=...) or a ViViD prompt config (source.prompt_config=...)"
        )
    entries: list[tuple[str, str, str | None, str]] = []
    if pairs_file is not None:
        for line in read_pairs_file(pairs_file):
            entries.append((line.video, line.garment, line.category, f"{Path(pairs_file).name}:{line.line_no}"))
    if prompt_config is not None:
        entries.extend((v, c, None, origin) for v, c, origin in _pairs_from_prompt_config(Path(prompt_config)))

    mentioned: set[str] = set()
    for video_name, garment_name, line_category, origin in entries:
        mentioned.add(video_name)
        pair_category = line_category or category or category_from_name(video_name)
        video, garment = confined(root, "videos", video_name), confined(root, "cloth", garment_name)
        if video is None or garment is None:
            bad = video_name if video is None else garment_name
            scan.problems.append(f"{origin}: {bad!r} resolves outside {root}; refused (paths stay in the folder)")
            continue
        missing = [
            f"{sub}/{name}"
            for sub, name, p in (("videos", video_name, video), ("cloth", garment_name, garment))
            if not p.is_file()
        ]
        if missing:
            scan.problems.append(f"{origin}: missing {', '.join(missing)}")
            continue
        if pair_category is None:
            scan.problems.append(
                f"{origin}: no category for {video_name}; add a third column to the pairs file or set source.category"
            )
            continue
        extras = {n: p for n in VIDEO_EXTRAS if (p := confined(root, n, video_name)) is not None and p.is_file()}
        if (mask := confined(root, "cloth_mask", garment_name)) is not None and mask.is_file():
            extras["garment_mask"] = mask
        scan.pairs.append(
            FolderPair(
                category=pair_category,
                video=video,
                garment=garment,
                origin=origin,
                split=split,
                product_id=product_id_from_name(garment_name),
                extras=extras,
            )
        )
    scan.unpaired = sorted(f"videos/{p.name}" for p in (root / "videos").glob("*.mp4") if p.name not in mentioned)
    return scan
