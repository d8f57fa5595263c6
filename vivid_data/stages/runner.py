"""Apply a stage to a manifest through an executor: resumable, with stats and a summary table."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from vivid_data.atomic import atomic_path, atomic_write_text
from vivid_data.stages.base import BYTES, DETAIL, Row, Stage, config_hash, jsonable, outcome
from vivid_data.stages.journal import Journal

STATUSES = ("ok", "rejected", "failed")


@dataclass
class StageReport:
    stage: str
    frame: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


def _stage_entry(row: Row, stage_name: str, stage_hash: str) -> Row:
    """Record the stage's status in the row's ``stages`` JSON and drop the runner-only keys."""
    row = dict(row)
    detail = row.pop(DETAIL, None)
    row.pop(BYTES, None)
    stages = row.get("stages")
    record = json.loads(stages) if isinstance(stages, str) and stages else dict(stages or {})
    entry = {"status": row["status"], "config_hash": stage_hash}
    if row.get("reason"):
        entry["reason"] = row["reason"]
    if detail:
        entry["detail"] = detail[-2000:]
    record[stage_name] = entry
    row["stages"] = json.dumps(record, sort_keys=True)
    return row


def run_stage(
    stage: Stage,
    frame: pd.DataFrame,
    work_dir: Path,
    executor,
    retry_failed: bool = False,
    progress: bool = True,
) -> StageReport:
    """Run ``stage`` over the ``ok`` rows of ``frame``; other rows pass through unchanged.

    Rows whose (key, stage config hash) the journal already holds are reused (failed ones
    again only with ``retry_failed``). Every finished row is journaled at once, so a killed
    run loses at most the rows in flight. Returns the output frame (not yet saved) and stats.
    """
    started = time.perf_counter()
    stage_hash = config_hash(stage.config())
    journal = Journal(work_dir / "journal" / f"{stage.name}.jsonl")
    done = journal.load(stage_hash)
    rows: list[Row] = [jsonable(r) for r in frame.to_dict(orient="records")]
    active = [i for i, r in enumerate(rows) if r.get("status", "ok") == "ok"]

    def reusable(key: str) -> bool:
        entry = done.get(key)
        if entry is None:
            return False
        return not (retry_failed and any(r["status"] == "failed" for r in entry["rows"]))

    todo = [i for i in active if not reusable(str(rows[i][stage.key]))]
    computed_s = 0.0
    bytes_in = 0
    try:
        results = executor.map_unordered(stage, [rows[i] for i in todo])
        for result in tqdm(results, total=len(todo), desc=stage.name, unit="row", disable=not progress):
            row = rows[todo[result.index]]
            if result.error is not None:
                outputs = [outcome(row, "failed", "exception", detail=result.error)]
            else:
                outputs = result.value
            bytes_in += sum(int(o.get(BYTES) or 0) for o in outputs)
            outputs = [_stage_entry(jsonable(o), stage.name, stage_hash) for o in outputs]
            computed_s += result.duration_s
            key = str(row[stage.key])
            entry = {"key": key, "hash": stage_hash, "rows": outputs, "duration_s": round(result.duration_s, 4)}
            journal.append(entry)
            done[key] = entry
    finally:
        journal.close()

    output: list[Row] = []
    for row in rows:
        if row.get("status", "ok") != "ok":
            output.append(row)
        else:
            output.extend(done[str(row[stage.key])]["rows"])
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
    path = work_dir / "manifests" / f"{report.stage}.parquet"
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    report.stats["manifest"] = str(path)
    atomic_write_text(work_dir / "stats" / f"{report.stage}.json", json.dumps(jsonable(report.stats), indent=2) + "\n")
    return path


def format_stage_summary(report: StageReport) -> str:
    s = report.stats
    counts = " ".join(f"{k}={v}" for k, v in s["counts"].items())
    reasons = ", ".join(f"{k}: {v}" for k, v in s["reasons"].items()) or "none"
    return (f"[{s['stage']}] {counts} (computed {s['computed_rows']}, reused {s['reused_rows']}, "
            f"passed through {s['passed_through']}) in {s['wall_s']:.1f}s; reasons: {reasons}")
