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

from vivid_data.atomic import atomic_write_text
from vivid_data.executors.base import SETUP_ERROR, WORKER_DIED
from vivid_data.manifest import write_parquet
from vivid_data.stages.base import BYTES, DETAIL, Row, Stage, config_hash, jsonable, outcome
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
    frame: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


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
    record = _stages(row.get("stages"))
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
    earlier = _stages(current.get("stages"))
    for row, made in zip(entry_rows, produced):
        keep = set(made) | set(RESULT_COLUMNS)
        fresh = {c: (v if c in keep or c not in current else current[c]) for c, v in row.items()}
        record = {**earlier, stage_name: _stages(row.get("stages")).get(stage_name, {})}
        fresh["stages"] = json.dumps(record, sort_keys=True)
        out.append(fresh)
    return out


def _stages(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and value:
        return json.loads(value)
    return dict(value or {})


def run_stage(
    stage: Stage,
    frame: pd.DataFrame,
    work_dir: Path,
    executor,
    retry_failed: bool = False,
    progress: bool = True,
) -> StageReport:
    """Run ``stage`` over the ``ok`` rows of ``frame``; other rows pass through unchanged.

    Rows whose (key, stage config hash, input fingerprint) the journal already holds are reused
    (failed ones again only with ``retry_failed``). Every finished row is journaled at once, so
    a killed run loses at most the rows in flight. Returns the output frame (not yet saved) and stats.
    """
    started = time.perf_counter()
    stage_hash = config_hash(stage.config())
    reads = getattr(stage, "reads", None)
    journal = Journal(work_dir / "journal" / f"{stage.name}.jsonl")
    done = journal.load(stage_hash)
    rows: list[Row] = [jsonable(r) for r in frame.to_dict(orient="records")]
    active = [i for i, r in enumerate(rows) if r.get("status", "ok") == "ok"]
    prints = {i: fingerprint(rows[i], reads) for i in active}

    def reusable(i: int) -> bool:
        entry = done.get(str(rows[i][stage.key]))
        if entry is None or entry.get("input") != prints[i]:
            return False
        return not (retry_failed and any(r["status"] == "failed" for r in entry["rows"]))

    todo = [i for i in active if not reusable(i)]
    computed_s = 0.0
    bytes_in = 0
    deaths: list[str] = []
    try:
        results = executor.map_unordered(stage, [rows[i] for i in todo])
        for result in tqdm(results, total=len(todo), desc=stage.name, unit="row", disable=not progress):
            row = rows[todo[result.index]]
            if result.kind == SETUP_ERROR:
                raise StageSetupError(
                    f"stage {stage.name} could not be set up in a worker: {summary_line(result.error or '')}",
                    result.error or "",
                )
            if result.error is not None:
                reason = "worker_died" if result.kind == WORKER_DIED else "exception"
                outputs = [failure_row(row, stage.name, reason, result.error)]
                if result.kind == WORKER_DIED:
                    deaths.append(f"{row_location(row)}: {summary_line(result.error)}")
            else:
                outputs = result.value
            bytes_in += sum(int(o.get(BYTES) or 0) for o in outputs)
            outputs = [_stage_entry(jsonable(o), stage.name, stage_hash) for o in outputs]
            computed_s += result.duration_s
            key = str(row[stage.key])
            entry = {
                "key": key,
                "hash": stage_hash,
                "input": prints[todo[result.index]],
                "rows": outputs,
                "produced": [_produced(row, o) for o in outputs],
                "duration_s": round(result.duration_s, 4),
            }
            journal.append(entry)
            done[key] = entry
    finally:
        journal.close()

    output: list[Row] = []
    for _i, row in enumerate(rows):
        if row.get("status", "ok") != "ok":
            output.append(row)
        else:
            entry = done[str(row[stage.key])]
            output.extend(
                _refreshed(entry["rows"], entry.get("produced") or [[]] * len(entry["rows"]), row, stage.name)
            )
    result_frame = pd.DataFrame(output) if output else frame.iloc[0:0].copy()
    result_frame, notes = stage.finalize(result_frame)

    processed = result_frame[result_frame["stages"].fillna("{}").map(lambda s: stage.name in json.loads(s))]
    counts = Counter(processed["status"]) if len(processed) else Counter()
    reasons = Counter(r for r in processed["reason"].dropna()) if len(processed) else Counter()
    stats = {
        "stage": stage.name,
        "config": stage.config(),
        "config_hash": stage_hash,
        "executor": executor.describe(),
        "input_rows": len(rows),
        "passed_through": len(rows) - len(active),
        "computed_rows": len(todo),
        "reused_rows": len(active) - len(todo),
        "output_rows": len(result_frame),
        "counts": {s: int(counts.get(s, 0)) for s in STATUSES},
        "reasons": dict(sorted(reasons.items())),
        "worker_deaths": deaths,
        "bytes": bytes_in,
        "compute_s": round(computed_s, 3),
        "mean_row_s": round(computed_s / len(todo), 4) if todo else 0.0,
        "wall_s": round(time.perf_counter() - started, 3),
        **notes,
    }
    return StageReport(stage.name, result_frame, stats)


def write_stage_outputs(report: StageReport, work_dir: Path, validate=None) -> Path:
    """``manifests/<stage>.parquet`` (through ``validate`` when given) and ``stats/<stage>.json``, atomically."""
    frame = validate(report.frame) if validate else report.frame
    path = write_parquet(frame, work_dir / "manifests" / f"{report.stage}.parquet")
    report.stats["manifest"] = str(path)
    atomic_write_text(work_dir / "stats" / f"{report.stage}.json", json.dumps(jsonable(report.stats), indent=2) + "\n")
    return path


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
