"""Manifests as streams of row batches: a build's main process never holds every row at once.

A 10,000-row manifest is ~30 MB of rows (URLs, hashes, thumbnails, stage records) and several
times that as Python dicts; the runner, the clean stage's cross-row checks and the shard planner
read it in batches or only the columns they need, and :class:`ManifestWriter` writes it in parts
that are joined into one parquet file at the end (atomically, like every other write).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from vivid_data.atomic import atomic_path, named_os_error, temp_name
from vivid_data.heap import give_back_freed_memory
from vivid_data.manifest import ROW_GROUP_ROWS, ManifestError, empty_manifest, unwritable_columns, validate_manifest
from vivid_data.stages.base import Row, jsonable

#: rows per batch read or written (one parquet row group): a few MB of rows, whatever the manifest's length
BATCH_ROWS = ROW_GROUP_ROWS

RowSource: TypeAlias = pd.DataFrame | str | os.PathLike


def count_rows(source: RowSource) -> int:
    if isinstance(source, pd.DataFrame):
        return len(source)
    return pq.ParquetFile(source).metadata.num_rows


def column_names(source: RowSource) -> list[str]:
    if isinstance(source, pd.DataFrame):
        return [str(c) for c in source.columns]
    return list(pq.ParquetFile(source).schema_arrow.names)


def _present(source: RowSource, columns: Iterable[str]) -> list[str]:
    names = set(column_names(source))
    return [c for c in columns if c in names]


def iter_batches(
    source: RowSource, columns: Iterable[str] | None = None, batch_rows: int = BATCH_ROWS
) -> Iterator[list[Row]]:
    """The rows of a frame or a parquet manifest, ``batch_rows`` at a time, as plain JSON-like dicts."""
    wanted = None if columns is None else _present(source, columns)
    if isinstance(source, pd.DataFrame):
        frame = source if wanted is None else source[wanted]
        for start in range(0, len(frame), batch_rows):
            yield [jsonable(r) for r in frame.iloc[start : start + batch_rows].to_dict(orient="records")]
        return
    for batch in pq.ParquetFile(source).iter_batches(batch_size=batch_rows, columns=wanted, use_threads=False):
        rows = [jsonable(r) for r in batch.to_pylist()]
        del batch
        yield rows
        give_back_freed_memory()


def iter_rows(source: RowSource, columns: Iterable[str] | None = None) -> Iterator[Row]:
    for batch in iter_batches(source, columns):
        yield from batch


def read_columns(source: RowSource, columns: Iterable[str]) -> pd.DataFrame:
    """Only ``columns`` (those present) of a manifest: the compact view cross-row decisions work on."""
    wanted = _present(source, columns)
    if isinstance(source, pd.DataFrame):
        return source[wanted].reset_index(drop=True)
    return pd.read_parquet(source, columns=wanted)


def rows_at(source: RowSource, positions: Iterable[int], columns: Iterable[str] | None = None) -> dict[int, Row]:
    """The rows at ``positions`` (0-based), read in one pass; memory follows the rows asked for."""
    return dict(iter_rows_at(source, positions, columns))


def iter_rows_at(
    source: RowSource, positions: Iterable[int], columns: Iterable[str] | None = None
) -> Iterator[tuple[int, Row]]:
    """(position, row) for ``positions`` in manifest order, one batch held at a time."""
    wanted = sorted(set(positions))
    if not wanted:
        return
    start = 0
    cursor = 0
    for batch in iter_batches(source, columns):
        end = start + len(batch)
        while cursor < len(wanted) and wanted[cursor] < end:
            yield wanted[cursor], batch[wanted[cursor] - start]
            cursor += 1
        if cursor == len(wanted):
            break
        start = end


class HeldRows:
    """Rows at chosen positions of a parquet manifest held as one Arrow table (about a quarter of
    their size as dicts); each becomes a dict, as :func:`iter_rows` gives it, when asked for."""

    def __init__(self, table: pa.Table, positions: np.ndarray) -> None:
        self._table = table
        self._slot = {int(p): slot for slot, p in enumerate(positions)}

    def __len__(self) -> int:
        return len(self._slot)

    def __getitem__(self, position: int) -> Row:
        return jsonable(self._table.slice(self._slot[position], 1).to_pylist()[0])


def hold_rows_at(
    source: RowSource, positions: Iterable[int], columns: Iterable[str] | None = None
) -> HeldRows | dict[int, Row]:
    """The rows at ``positions``, indexable by position: compact for a parquet manifest (read a
    batch at a time), plain dicts for a frame that is in memory anyway."""
    if isinstance(source, pd.DataFrame):
        return rows_at(source, positions, columns)
    wanted = np.array(sorted(set(positions)), dtype=np.int64)
    names = None if columns is None else _present(source, columns)
    parquet = pq.ParquetFile(source)
    pieces = []
    start = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=names, use_threads=False):
        end = start + batch.num_rows
        local = wanted[(wanted >= start) & (wanted < end)] - start
        if local.size:
            pieces.append(batch.take(pa.array(local)))
        del batch
        give_back_freed_memory()
        start = end
    schema = parquet.schema_arrow
    if names is not None:
        schema = pa.schema([schema.field(n) for n in names], metadata=schema.metadata)
    return HeldRows(pa.Table.from_batches(pieces, schema=schema), wanted)


class ManifestWriter:
    """Rows in, one parquet manifest out.

    Rows are written in parts of ``batch_rows`` (each validated against the schema when
    ``validate``, with row numbers counted over the whole manifest, and sample ids checked for
    repeats across parts); :meth:`close` joins the parts under one schema (a column that is
    integer in one part and float in another becomes float) into ``target`` through a temporary
    file and a rename. A writer left by an exception leaves ``target`` as it was.
    """

    def __init__(self, target: str | os.PathLike, validate: bool = True, batch_rows: int = BATCH_ROWS) -> None:
        self.target = Path(target)
        self.validate = validate
        self.batch_rows = batch_rows
        self.rows_written = 0
        self._buffer: list[Row] = []
        self._parts: list[Path] = []
        self._schemas: list[pa.Schema] = []
        self._id_hashes = array("Q")  # 8 bytes per sample id written; repeats confirmed from the parts
        self._folder = temp_name(self.target)
        try:
            self._folder.mkdir(parents=True)
        except OSError as exc:
            raise named_os_error(exc, self.target) from exc

    def __enter__(self) -> ManifestWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self.abort()

    def write(self, row: Row) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= self.batch_rows:
            self._flush()

    def write_all(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.write(row)

    def _flush(self) -> None:
        if not self._buffer:
            return
        frame = pd.DataFrame(self._buffer)
        self._buffer = []
        name = str(self.target)
        if self.validate:
            frame = validate_manifest(frame, name, first_row=self.rows_written)
            hashes = np.fromiter((_id_hash(s) for s in frame["sample_id"]), np.uint64, len(frame))
            repeated = self._written_ids(set(frame["sample_id"][np.isin(hashes, self._id_hashes)]))
            if repeated:
                raise ManifestError(f"{name}: duplicate sample ids: {sorted(repeated)[:5]}")
            self._id_hashes.extend(hashes.tolist())
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise ManifestError(
                f"{name}: cannot be written as parquet: column(s) {unwritable_columns(frame) or '?'} hold values "
                f"of mixed or unsupported types ({exc})"
            ) from exc
        part = self._folder / f"part-{len(self._parts):06d}.parquet"
        try:
            pq.write_table(table, part)
        except OSError as exc:
            raise named_os_error(exc, self.target) from exc
        self._parts.append(part)
        self._schemas.append(table.schema)
        self.rows_written += len(frame)
        del frame, table
        give_back_freed_memory()

    def _written_ids(self, candidates: set[str]) -> set[str]:
        """Those of ``candidates`` that a part already written holds (read back only when a hash repeats)."""
        if not candidates:
            return set()
        written: set[str] = set()
        for part in self._parts:
            written.update(pq.read_table(part, columns=["sample_id"])["sample_id"].to_pylist())
        return candidates & written

    def close(self) -> Path:
        """Join the parts into ``target``; returns it."""
        try:
            self._flush()
            self._join()
        finally:
            self.abort()
        return self.target

    def _join(self) -> None:
        if not self._parts:  # no rows: an empty manifest with the schema's columns
            frame = empty_manifest() if self.validate else pd.DataFrame()
            with atomic_path(self.target) as tmp:
                frame.to_parquet(tmp, index=False)
            return
        schema = self._joined_schema()
        with atomic_path(self.target) as tmp, pq.ParquetWriter(tmp, schema) as out:
            for part in self._parts:
                table = pq.read_table(part)
                columns = [
                    table[f.name].cast(f.type) if f.name in table.column_names else pa.nulls(len(table), f.type)
                    for f in schema
                ]
                out.write_table(pa.Table.from_arrays(columns, schema=schema))

    def _joined_schema(self) -> pa.Schema:
        try:
            plain = pa.unify_schemas([s.remove_metadata() for s in self._schemas], promote_options="permissive")
        except (pa.ArrowException, TypeError) as exc:
            raise ManifestError(f"{self.target}: its parts disagree on a column's type ({exc})") from exc
        # pandas' metadata (the dtypes to restore) from the part with the most columns
        widest = max(self._schemas, key=lambda s: len(s.names))
        return plain.with_metadata(widest.metadata)

    def abort(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)


def _id_hash(sample_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(str(sample_id).encode(), digest_size=8).digest(), "little")


def write_manifest_rows(rows: Iterable[Row], target: str | os.PathLike, validate: bool = True) -> Path:
    """Stream ``rows`` into one parquet manifest at ``target``."""
    with ManifestWriter(target, validate=validate) as writer:
        writer.write_all(rows)
        return writer.close()
