"""Apply a stage to a manifest through an executor: resumable, fault-contained, with stats.

Invariant: whatever happens to one row (an exception in any stage, a worker killed by the
kernel) becomes a ``failed`` row that keeps its identity (sample id, or one derived from its
candidate id) and says in ``detail`` which URL or file it concerns; the other rows go on.
Only a stage that cannot start at all (its ``setup()`` fails in the workers) stops the build.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from vivid_data.atomic import atomic_write_text, temp_name
from vivid_data.executors.base import SETUP_ERROR, TIMEOUT, WORKER_DIED
from vivid_data.manifest_stream import ManifestWriter, RowSource, count_rows, iter_rows
from vivid_data.stages.base import BYTES, DETAIL, Row, Stage, config_hash, jsonable, outcome, stage_records
from vivid_data.stages.journal import Journal

STATUSES = ("ok", "rejected", "failed")
#: columns that describe a row's progress, not its content: never part of a reuse fingerprint
PROGRESS_COLUMNS = ("status", "reason", "detail", "stages", "origin")
#: columns a reused output row always takes from the journal
RESULT_COLUMNS = ("status", "reason", "detail", "stages")
DETAIL_CHARS = 600


class StageSetupError(RuntimeError):
    """A stage could not be set up in its workers (a missing model file, a bad device): nothing ran."""

    def __init__(self, message: str, traceback_text: str = "") -> None:
        super().__init__(message)
        self.traceback_text = traceback_text


@dataclass
class StageReport:
    stage: str
    path: Path
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def frame(self) -> pd.DataFrame:
        """The whole output manifest in memory (small manifests, tests, notebooks)."""
        return pd.read_parquet(self.path)


def row_location(row: Row) -> str:
    """The URLs (or files) a row comes from, for messages: the video's and the garment's."""
    video = row.get("video_url") or row.get("video_src")
    garment = row.get("garment_url") or row.get("garment_src")
    parts = [f"video {video}" if video else "", f"garment {garment}" if garment else ""]
    return ", ".join(p for p in parts if p) or f"row {row.get('sample_id') or row.get('candidate_id') or '?'}"


def summary_line(detail: str) -> str:
    """One readable line of a detail: the exception line of a traceback, else the text, shortened."""
    lines = [line.strip() for line in detail.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    text = lines[-1] if lines[0].startswith("Traceback") else " ".join(lines)
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 3] + "..."


def ensure_identity(row: Row) -> Row:
    """A row without a sample id (a candidate that failed before it had content) gets one from its candidate."""
    if row.get("sample_id"):
        return row
    base = row.get("candidate_id") or hashlib.sha256(row_location(row).encode()).hexdigest()
    return {**row, "sample_id": f"u{str(base)[:23]}"}


def failure_row(row: Row, stage_name: str, reason: str, detail: str) -> Row:
    """What one row becomes when its stage raised or its worker died."""
    location = row_location(row)
    return outcome(ensure_identity(row), "failed", reason, detail=f"{stage_name} failed for {location}: {detail}")


def _stage_entry(row: Row, stage_name: str, stage_hash: str) -> Row:
    """Record the stage's status in the row's ``stages`` JSON and ``detail``; drop the runner-only keys."""
    row = ensure_identity(dict(row))
    detail = row.pop(DETAIL, None)
    row.pop(BYTES, None)
    record = stage_records(row.get("stages"))
    entry = {"status": row["status"], "config_hash": stage_hash}
    if row.get("reason"):
        entry["reason"] = row["reason"]
    if detail:
        entry["detail"] = detail[-2000:]
    record[stage_name] = entry
    row["stages"] = json.dumps(record, sort_keys=True)
    if row["status"] != "ok":
        line = summary_line(detail) if detail else str(row.get("reason") or row["status"])
        location = row_location(row)
        row["detail"] = line if any(u in line for u in _urls(row)) else f"{location}: {line}"
    return row


def _urls(row: Row) -> list[str]:
    return [str(row[c]) for c in ("video_url", "garment_url", "video_src", "garment_src") if row.get(c)]


def fingerprint(row: Row, reads: tuple[str, ...] | None) -> str:
    """Hash of what a stage reads from a row: a changed input recomputes the row, anything else is refreshed."""
    columns = reads if reads is not None else tuple(c for c in sorted(row) if c not in PROGRESS_COLUMNS)
    values = {c: jsonable(row.get(c)) for c in columns}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _produced(inputs: Row, output: Row) -> list[str]:
    return sorted(c for c, v in output.items() if c not in inputs or jsonable(inputs[c]) != jsonable(v))


def _refreshed(entry_rows: list[Row], produced: list[list[str]], current: Row, stage_name: str) -> list[Row]:
    """Journaled outputs with every column the stage did not produce taken from the current input.

    A source field that changed (split, licence, attribution) reaches the manifest without
    recomputing the row; the ``stages`` record keeps the current earlier stages and this one's entry.
    """
    out = []
    earlier = stage_records(current.get("stages"))
    for row, made in zip(entry_rows, produced):
        keep = set(made) | set(RESULT_COLUMNS)
        fresh = {c: (v if c in keep or c not in current else current[c]) for c, v in row.items()}
        record = {**earlier, stage_name: stage_records(row.get("stages")).get(stage_name, {})}
        fresh["stages"] = json.dumps(record, sort_keys=True)
        out.append(fresh)
    return out


def run_stage(
    stage: Stage,
    source: RowSource,
    work_dir: Path,
    executor,
    retry_failed: bool = False,
    progress: bool = True,
    validate: bool = True,
) -> StageReport:
    """Run ``stage`` over the ``ok`` rows of ``source`` (a frame or a parquet manifest); other rows pass through.

    Rows whose (key, stage config hash, input fingerprint) the journal already holds are reused
    (failed ones again only with ``retry_failed``). Every finished row is journaled at once, so
    a killed run loses at most the rows in flight. The output goes to ``manifests/<stage>.parquet``
    (validated against the schema when ``validate``); the rows stream through in batches, so the
    main process holds the rows in flight and a compact journal index, not the manifest.
    """
    started = time.perf_counter()
    stage_hash = config_hash(stage.config())
    reads = getattr(stage, "reads", None)
    journal = Journal(work_dir / "journal" / f"{stage.name}.jsonl")
    journal.load(stage_hash)
    target = work_dir / "manifests" / f"{stage.name}.parquet"
    try:
        todo, active = _rows_to_compute(stage, source, journal, reads, retry_failed)
        computed_s, bytes_in, deaths = _compute(stage, source, todo, journal, executor, stage_hash, reads, progress)
        assembled = temp_name(target, ".parquet")
        try:
            _assemble(stage, source, journal, assembled)
        finally:
            journal.close()
        try:
            edits, notes = stage.finalize(assembled) if hasattr(stage, "finalize") else ({}, {})
            counts, reasons, output_rows = _write_output(stage, assembled, edits, target, validate)
        finally:
            assembled.unlink(missing_ok=True)
    finally:
        journal.close()
    total = len(todo)
    computed = sum(todo)
    stats = {
        "stage": stage.name,
        "config": stage.config(),
        "config_hash": stage_hash,
        "executor": executor.describe(),
        "input_rows": total,
        "passed_through": total - active,
        "computed_rows": computed,
        "reused_rows": active - computed,
        "output_rows": output_rows,
        "counts": {s: int(counts.get(s, 0)) for s in STATUSES},
        "reasons": dict(sorted(reasons.items())),
        "worker_deaths": deaths,
        "bytes": bytes_in,
        "compute_s": round(computed_s, 3),
        "mean_row_s": round(computed_s / computed, 4) if computed else 0.0,
        "wall_s": round(time.perf_counter() - started, 3),
        "manifest": str(target),
        **notes,
    }
    return StageReport(stage.name, target, stats)


def _is_active(row: Row) -> bool:
    return row.get("status", "ok") == "ok"


def _rows_to_compute(
    stage: Stage, source: RowSource, journal: Journal, reads: tuple[str, ...] | None, retry_failed: bool
) -> tuple[bytearray, int]:
    """One flag per input row (1: compute it) and the number of active rows."""
    todo = bytearray(count_rows(source))
    active = 0
    for position, row in enumerate(iter_rows(source)):
        if not _is_active(row):
            continue
        active += 1
        mark = journal.mark(str(row[stage.key]))
        reusable = mark is not None and mark.input == fingerprint(row, reads) and not (retry_failed and mark.failed)
        todo[position] = 0 if reusable else 1
    return todo, active


def _compute(
    stage: Stage,
    source: RowSource,
    todo: bytearray,
    journal: Journal,
    executor,
    stage_hash: str,
    reads: tuple[str, ...] | None,
    progress: bool,
) -> tuple[float, int, list[str]]:
    """Feed the rows to compute to the executor as it asks for them; journal each result as it comes."""
    in_flight: dict[int, Row] = {}

    def feed():
        for number, row in enumerate(r for position, r in enumerate(iter_rows(source)) if todo[position]):
            in_flight[number] = row
            yield row

    computed_s = 0.0
    bytes_in = 0
    deaths: list[str] = []
    results = executor.map_unordered(stage, feed())
    for result in tqdm(results, total=sum(todo), desc=stage.name, unit="row", disable=not progress):
        row = in_flight.pop(result.index)
        if result.kind == SETUP_ERROR:
            raise StageSetupError(
                f"stage {stage.name} could not be set up in a worker: {summary_line(result.error or '')}",
                result.error or "",
            )
        if result.error is not None:
            reason = {WORKER_DIED: "worker_died", TIMEOUT: "timeout"}.get(result.kind or "", "exception")
            outputs = [failure_row(row, stage.name, reason, result.error)]
            if result.kind in (WORKER_DIED, TIMEOUT):
                deaths.append(f"{row_location(row)}: {summary_line(result.error)}")
        else:
            outputs = result.value
        bytes_in += sum(int(o.get(BYTES) or 0) for o in outputs)
        outputs = [_stage_entry(jsonable(o), stage.name, stage_hash) for o in outputs]
        computed_s += result.duration_s
        journal.append(
            {
                "key": str(row[stage.key]),
                "hash": stage_hash,
                "input": fingerprint(row, reads),
                "rows": outputs,
                "produced": [_produced(row, o) for o in outputs],
                "duration_s": round(result.duration_s, 4),
            }
        )
    return computed_s, bytes_in, deaths


def _assemble(stage: Stage, source: RowSource, journal: Journal, assembled: Path) -> None:
    """Input rows in order, each active one replaced by its journaled outputs (refreshed, settled)."""
    settle = getattr(stage, "settle", None)
    with ManifestWriter(assembled, validate=False) as writer:
        for row in iter_rows(source):
            if not _is_active(row):
                writer.write(row)
                continue
            entry = journal.entry(str(row[stage.key]))
            if entry is None:  # cannot happen: every active row was computed or reused
                raise RuntimeError(f"stage {stage.name}: no journaled result for {row_location(row)}")
            outputs = entry["rows"]
            for output in _refreshed(outputs, entry.get("produced") or [[]] * len(outputs), row, stage.name):
                writer.write(settle(output) if settle else output)
        writer.close()


def _write_output(
    stage: Stage, assembled: Path, edits: dict[int, Row | None], target: Path, validate: bool
) -> tuple[Counter, Counter, int]:
    """The final manifest: assembled rows with the stage's cross-row edits (``None`` drops a row)."""
    counts: Counter = Counter()
    reasons: Counter = Counter()
    with ManifestWriter(target, validate=validate) as writer:
        for position, row in enumerate(iter_rows(assembled)):
            if position in edits:
                edit = edits[position]
                if edit is None:
                    continue
                row = {**row, **edit}
            writer.write(row)
            if stage.name in stage_records(row.get("stages")):
                counts[row["status"]] += 1
                if row.get("reason"):
                    reasons[row["reason"]] += 1
        writer.close()
    return counts, reasons, writer.rows_written


def write_stage_outputs(report: StageReport, work_dir: Path) -> Path:
    """``stats/<stage>.json``, atomically (the stage's manifest is written by :func:`run_stage`)."""
    atomic_write_text(work_dir / "stats" / f"{report.stage}.json", json.dumps(jsonable(report.stats), indent=2) + "\n")
    return report.path


def format_stage_summary(report: StageReport) -> str:
    s = report.stats
    counts = " ".join(f"{k}={v}" for k, v in s["counts"].items())
    reasons = ", ".join(f"{k}: {v}" for k, v in s["reasons"].items()) or "none"
    line = (
        f"[{s['stage']}] {counts} (computed {s['computed_rows']}, reused {s['reused_rows']}, "
        f"passed through {s['passed_through']}) in {s['wall_s']:.1f}s; reasons: {reasons}"
    )
    if s.get("worker_deaths"):
        line += f"; {len(s['worker_deaths'])} worker(s) died, their rows failed (see stats)"
    return line
