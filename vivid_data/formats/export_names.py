"""File names for an export in ViViD's released layout: safe, and never two contents under one name.

Names come from the source (the last segment of a URL, a file name in a folder), so two shops'
``video.mp4`` meet in one category folder, and a crafted name can hold ``../``. Every name is
reduced to ``[A-Za-z0-9._-]`` with the content's suffix; where one name would carry two
different contents, each gets the first 8 hex digits of its content hash (``video-3fa2c1d9.mp4``),
so the same build always exports the same names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: object, fallback: str, suffix: str) -> str:
    """``name`` as a plain file name ending in ``suffix`` (``.mp4``, ``.jpg``); ``fallback`` when unusable."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = text.rsplit(".", 1)[0] if "." in text else text
    stem = _UNSAFE.sub("_", stem).strip("._-")[:120]
    return f"{stem or fallback}{suffix}"


@dataclass(frozen=True)
class ExportItem:
    """One sample's files to export: names proposed by the source, and what identifies their content."""

    sample_id: str
    category: str
    video_name: str | None
    garment_name: str | None
    video_content: str
    garment_content: str


def export_names(
    items: list[ExportItem], video_suffix: str = ".mp4", garment_suffix: str = ".jpg"
) -> dict[str, tuple[str, str]]:
    """Per sample id, its (video file, garment file) names, unique per content within each category."""
    names: dict[str, tuple[str, str]] = {}
    for kind in ("video", "garment"):
        suffix = video_suffix if kind == "video" else garment_suffix
        proposed: dict[tuple[str, str], set[str]] = defaultdict(set)
        wanted: dict[str, str] = {}
        for item in items:
            name = safe_file_name(getattr(item, f"{kind}_name"), item.sample_id, suffix)
            wanted[item.sample_id] = name
            proposed[(item.category, name)].add(getattr(item, f"{kind}_content"))
        taken: dict[tuple[str, str], str] = {}  # (category, final name) -> content
        for item in sorted(items, key=lambda i: i.sample_id):
            name, content = wanted[item.sample_id], getattr(item, f"{kind}_content")
            stem, digits = name[: -len(suffix)], 8
            if len(proposed[(item.category, name)]) > 1:
                name = f"{stem}-{content[:digits]}{suffix}"
            while taken.get((item.category, name), content) != content:  # taken by other content: lengthen
                digits += 4
                name = f"{stem}-{content[:digits]}{suffix}"
            taken[(item.category, name)] = content
            video, garment = names.get(item.sample_id, ("", ""))
            names[item.sample_id] = (name, garment) if kind == "video" else (video, name)
    return names
