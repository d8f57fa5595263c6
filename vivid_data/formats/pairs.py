"""Pairs files: ``<video file> <garment file>`` per line, as in ViViD's train_pairs.txt / test_pairs.txt."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vivid_data.atomic import atomic_write_text
from vivid_data.schema import CATEGORIES


class PairsFileError(ValueError):
    """A malformed pairs file; the message names the file and the line."""


@dataclass(frozen=True)
class PairLine:
    video: str
    garment: str
    category: str | None
    line_no: int


def read_pairs_file(path: str | os.PathLike) -> list[PairLine]:
    """Parse a pairs file. An optional third column names the category (our extension)."""
    source = Path(path)
    if not source.is_file():
        raise PairsFileError(f"{source}: pairs file not found")
    pairs = []
    for line_no, raw in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) not in (2, 3):
            raise PairsFileError(f"{source}:{line_no}: expected '<video> <garment> [category]', got {line!r}")
        category = parts[2] if len(parts) == 3 else None
        if category is not None and category not in CATEGORIES:
            raise PairsFileError(
                f"{source}:{line_no}: unknown category {category!r}; expected one of {', '.join(CATEGORIES)}"
            )
        pairs.append(PairLine(parts[0], parts[1], category, line_no))
    return pairs


def format_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{video} {garment}\n" for video, garment in pairs)


def write_pairs_file(path: str | os.PathLike, pairs: Iterable[tuple[str, str]]) -> Path:
    for video, garment in pairs if isinstance(pairs, list) else (pairs := list(pairs)):
        if any(ch.isspace() for ch in video + garment):
            raise PairsFileError(f"{path}: file names must not contain whitespace: {video!r} {garment!r}")
    return atomic_write_text(path, format_pairs(pairs))
