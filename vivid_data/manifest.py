"""Manifests: a pandas DataFrame with the sample schema, validated on load, saved as parquet atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow

from vivid_data.atomic import atomic_path
from vivid_data.schema import (
    CATEGORIES,
    COLUMN_DTYPES,
    REQUIRED_COLUMNS,
    SAMPLE_ID_PATTERN,
    SETTINGS,
    SPLITS,
    STATUSES,
    SampleRecord,
)

#: rows per parquet row group: a reader streaming a manifest decodes this many rows at a time
ROW_GROUP_ROWS = 512


class ManifestError(ValueError):
    """A manifest that does not follow the schema; the message names the file and the offending rows."""


def empty_manifest() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMN_DTYPES.items()})


def records_to_frame(records: Iterable[SampleRecord]) -> pd.DataFrame:
    rows = [record.to_row() for record in records]
    if not rows:
        return empty_manifest()
    return _coerce(pd.DataFrame(rows))


def frame_to_records(frame: pd.DataFrame) -> list[SampleRecord]:
    return [SampleRecord.from_row({str(k): v for k, v in row.items()}) for row in frame.to_dict(orient="records")]


def _convert(values: pd.Series, dtype: str, name: str, source: str) -> pd.Series:
    """``values`` as ``dtype``, or a ManifestError naming the column, the rows and the bad values."""
    try:
        return values.astype(dtype)
    except Exception:
        pass
    bad = []
    for index, value in values.items():
        try:
            pd.Series([value], dtype=object).astype(dtype)
        except Exception:
            bad.append(f"row {index}: {value!r}")
    shown = "; ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
    kind = {"Int64": "an integer", "Float64": "a number", "string": "text"}.get(dtype, dtype)
    raise ManifestError(f"{source}: column {name!r} must hold {kind}: {shown or 'mixed types'}")


def _coerce(frame: pd.DataFrame, source: str = "<manifest>", first_row: int = 0) -> pd.DataFrame:
    """Schema columns first, in schema order and dtypes; extra columns (stage scores) kept after them."""
    frame = frame.copy()
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    for name, dtype in COLUMN_DTYPES.items():
        if name not in frame.columns:
            frame[name] = pd.Series([None] * len(frame), dtype=dtype, index=frame.index)
        else:
            frame[name] = _convert(frame[name], dtype, name, source)
    extra = [c for c in frame.columns if c not in COLUMN_DTYPES]
    return frame[list(COLUMN_DTYPES) + extra]


def _offenders(frame: pd.DataFrame, mask: pd.Series, column: str, limit: int = 5) -> str:
    rows = frame.loc[mask.fillna(True)]
    shown = [f"row {i} ({rows.at[i, 'sample_id']!s}): {rows.at[i, column]!r}" for i in rows.index[:limit]]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return "; ".join(shown) + more


def validate_manifest(frame: pd.DataFrame, source: str = "<manifest>", first_row: int = 0) -> pd.DataFrame:
    """Return ``frame`` in schema order and dtypes, or raise :class:`ManifestError` naming ``source``.

    ``first_row``: the number of the frame's first row in the whole manifest (a part of a
    streamed manifest), so messages name rows as a reader of the file counts them.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ManifestError(f"{source}: missing columns {missing}")
    frame = _coerce(frame, source, first_row)
    ids = frame["sample_id"]
    bad_ids = ~ids.fillna("").str.match(SAMPLE_ID_PATTERN.pattern)
    if bad_ids.any():
        raise ManifestError(f"{source}: invalid sample ids: {_offenders(frame, bad_ids, 'sample_id')}")
    duplicated = ids.duplicated(keep=False)
    if duplicated.any():
        raise ManifestError(f"{source}: duplicate sample ids: {sorted(set(ids[duplicated]))[:5]}")
    checks = (
        ("category", CATEGORIES, False),
        ("status", STATUSES, False),
        ("split", SPLITS, True),
        ("setting", SETTINGS, True),
    )
    for column, allowed, nullable in checks:
        values = frame[column]
        bad = ~values.isin(allowed)
        if nullable:
            bad &= values.notna()
        if bad.any():
            raise ManifestError(
                f"{source}: unknown {column} (expected {', '.join(allowed)}): {_offenders(frame, bad, column)}"
            )
    return frame


def save_manifest(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Validate and write ``frame`` as parquet through a temporary file and a rename."""
    target = Path(path)
    frame = validate_manifest(frame, str(target))
    write_parquet(frame, target)
    return target


def write_parquet(frame: pd.DataFrame, target: str | os.PathLike) -> Path:
    """A frame as parquet, atomically; a column Arrow cannot store is named in the error."""
    target = Path(target)
    try:
        with atomic_path(target) as tmp:
            frame.to_parquet(tmp, index=False, row_group_size=ROW_GROUP_ROWS)
    except (pyarrow.ArrowException, TypeError, ValueError) as exc:
        columns = unwritable_columns(frame)
        raise ManifestError(
            f"{target}: cannot be written as parquet: column(s) {columns or '?'} hold values of "
            f"mixed or unsupported types ({exc})"
        ) from exc
    return target


def unwritable_columns(frame: pd.DataFrame) -> list[str]:
    """The columns Arrow cannot store (values of mixed or unsupported types), for error messages."""
    return [str(c) for c in frame.columns if not _storable(frame[[c]])]


def _storable(column: pd.DataFrame) -> bool:
    try:
        pyarrow.Table.from_pandas(column)
        return True
    except (pyarrow.ArrowException, TypeError, ValueError):
        return False


def load_manifest(path: str | os.PathLike) -> pd.DataFrame:
    """Read and validate a parquet manifest; errors name the file."""
    source = Path(path)
    if not source.is_file():
        raise ManifestError(f"{source}: manifest not found")
    try:
        frame = pd.read_parquet(source)
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise ManifestError(f"{source}: not a readable parquet manifest ({exc})") from exc
    return validate_manifest(frame, str(source))
