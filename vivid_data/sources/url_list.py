"""Source ``url_list``: a CSV, JSONL or parquet file of garment-video URL pairs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from vivid_data.candidates import candidates_frame, compact_text
from vivid_data.schema import CATEGORIES, SPLITS
from vivid_data.sources.base import SourceResult, no_resources

REQUIRED = ("video_url", "garment_url", "category")
#: URL-list lines turned into candidate rows at once
CHUNK_ROWS = 2048
OPTIONAL = ("product_id", "garment_mask_url", "license", "attribution", "split", "video_sha256", "garment_sha256")


def read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileNotFoundError(f"{path}: URL list not found")
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None})
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
    except ValueError as exc:
        raise ValueError(f"{path}: cannot parse as {suffix[1:]}: {exc}") from exc
    raise ValueError(f"{path}: unsupported URL list format {suffix!r}; use .csv, .jsonl or .parquet")


@dataclass
class UrlListSource:
    path: str

    @property
    def dataset_name(self) -> str:
        return Path(self.path).stem

    def candidates(self) -> SourceResult:
        path = Path(self.path).expanduser().resolve()
        table = read_table(path)
        missing = [c for c in REQUIRED if c not in table.columns]
        if missing:
            raise ValueError(f"{path}: missing columns {missing} (need {', '.join(REQUIRED)})")
        if table.empty:
            raise ValueError(f"{path}: the URL list has its columns ({', '.join(map(str, table.columns))}) but no rows")
        first = 2 if path.suffix == ".csv" else 1
        parts: list[pd.DataFrame] = []
        problems: list[str] = []
        for start in range(0, len(table), CHUNK_ROWS):  # a chunk at a time: Python objects for 2,048 rows at most
            chunk = table.iloc[start : start + CHUNK_ROWS]
            chunk = chunk.astype(object).where(chunk.notna(), None)  # one "missing" for every format
            rows = [
                row
                for number, record in enumerate(chunk.to_dict(orient="records"), start=first + start)
                if (row := _candidate(record, f"{path.name}:{number}", problems)) is not None
            ]
            if rows:
                parts.append(compact_text(candidates_frame(rows, drop_repeats=False)))
        frame = pd.concat(parts, ignore_index=True) if parts else candidates_frame([])
        del parts  # the chunks' copies, before the de-duplicated one is made
        repeated = frame["candidate_id"].duplicated()
        duplicates = _describe_duplicates(frame, repeated)
        frame = frame[~repeated].reset_index(drop=True)
        notes = {"root": str(path), "problems": problems, **({"duplicates": duplicates} if duplicates else {})}
        return SourceResult(frame, notes)

    def open(self):
        return no_resources(self.candidates())


def _describe_duplicates(frame: pd.DataFrame, repeated: pd.Series) -> dict | None:
    """How many lines repeat an earlier line's pair (same URLs and category: one candidate), with examples,
    so that 5,000 lines that differ only in product_id are not silently one row."""
    count = int(repeated.sum())
    if not count:
        return None
    first = frame.drop_duplicates("candidate_id").set_index("candidate_id")["origin"]
    examples = [
        f"{origin} repeats {first[cid]}"
        for cid, origin in zip(frame.loc[repeated, "candidate_id"][:5], frame.loc[repeated, "origin"][:5])
    ]
    return {"lines": count, "examples": examples}


def _candidate(record: dict, origin: str, problems: list[str]) -> dict | None:
    """One URL-list line as a candidate row; None (and a problem naming the line and its URL) when it cannot
    be one: no video or garment URL, an unknown category or split. One bad line never stops the build."""
    where = f"{origin} ({record.get('video_url') or 'no video_url'})"
    category = record.get("category")
    if category not in CATEGORIES:
        problems.append(f"{where}: unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
        return None
    if not record.get("video_url") or not record.get("garment_url"):
        problems.append(f"{origin}: empty video_url or garment_url")
        return None
    split = record.get("split") or None
    if split is not None and split not in SPLITS:
        problems.append(f"{where}: unknown split {split!r}; expected one of {', '.join(SPLITS)}")
        return None
    row = {
        "category": category,
        "video_src": record["video_url"],
        "garment_src": record["garment_url"],
        "origin": origin,
        "local_files": False,
        "split": split,
    }
    if record.get("garment_mask_url"):
        row["garment_mask_src"] = record["garment_mask_url"]
    for column in ("product_id", "license", "attribution", "video_sha256", "garment_sha256"):
        if record.get(column) is not None:
            row[column] = str(record[column])
    return row
