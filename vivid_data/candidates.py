"""Candidates: what a source proposes before anything is downloaded (one row per garment-video pair).

Optional ``<modality>_sha256`` columns pin the expected content; a mismatch rejects the row.

``*_src`` columns say where to fetch each file (http/https URL, or ``file://`` for trusted local
folders only); ``video_url``/``garment_url`` are the provenance recorded in the manifest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from vivid_data.manifest import write_parquet
from vivid_data.schema import CATEGORIES

SOURCE_COLUMNS = ("video_src", "garment_src", "garment_mask_src", "agnostic_src", "agnostic_mask_src", "densepose_src")
CANDIDATE_COLUMNS = (
    "candidate_id",
    "category",
    "product_id",
    *SOURCE_COLUMNS,
    "video_url",
    "garment_url",
    "video_name",
    "garment_name",
    "license",
    "attribution",
    "split",
    "setting",
    "origin",
    "local_files",
    "video_sha256",
    "garment_sha256",
    "status",
    "reason",
)


def make_candidate_id(category: str, video_src: str, garment_src: str) -> str:
    """Stable id of a proposed pair, from where its files come from (content is not known yet)."""
    return hashlib.sha256(f"{category}|{video_src}|{garment_src}".encode()).hexdigest()[:24]


def candidates_frame(rows: list[dict], drop_repeats: bool = True) -> pd.DataFrame:
    """Complete candidate rows with defaults and ids; check categories; drop exact repeats (unless the
    caller counts them itself: ``drop_repeats=False``)."""
    columns = list(dict.fromkeys([*CANDIDATE_COLUMNS, *(k for row in rows for k in row)]))
    frame = pd.DataFrame(rows, columns=columns).astype(object)  # absent values stay None, not float NaN
    if frame.empty:
        return pd.DataFrame(columns=list(CANDIDATE_COLUMNS))
    bad = frame[~frame["category"].isin(CATEGORIES)]
    if len(bad):
        first = bad.iloc[0]
        raise ValueError(
            f"{first['origin']}: unknown category {first['category']!r}; expected one of {', '.join(CATEGORIES)}"
        )
    missing = frame[frame["video_src"].isna() | frame["garment_src"].isna()]
    if len(missing):
        raise ValueError(f"{missing.iloc[0]['origin']}: a candidate needs a video and a garment location")
    frame["candidate_id"] = [
        make_candidate_id(c, v, g) for c, v, g in zip(frame["category"], frame["video_src"], frame["garment_src"])
    ]
    frame["video_url"] = frame["video_url"].fillna(frame["video_src"])
    frame["garment_url"] = frame["garment_url"].fillna(frame["garment_src"])
    frame["video_name"] = frame["video_name"].fillna(frame["video_src"].map(_name_of))
    frame["garment_name"] = frame["garment_name"].fillna(frame["garment_src"].map(_name_of))
    frame["local_files"] = frame["local_files"].map(lambda value: value is True)  # only an explicit True
    frame["status"] = "ok"
    frame["reason"] = None
    return frame.drop_duplicates("candidate_id").reset_index(drop=True) if drop_repeats else frame


def _name_of(location: str) -> str:
    name = Path(location.split("?", 1)[0].rstrip("/")).name
    return name or "file"


def compact_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns holding only text (or nothing) as Arrow-backed strings: the text's bytes per value
    instead of a Python object each, so a 10,000-line URL list stays a few MB in memory."""
    for column in frame.columns:
        values = frame[column]
        texts = values.dtype == object and values.map(lambda v: v is None or isinstance(v, str)).all()
        if texts and values.notna().any():
            frame[column] = values.astype("str")
    return frame


def save_candidates(frame: pd.DataFrame, path: Path) -> Path:
    return write_parquet(frame, path)
