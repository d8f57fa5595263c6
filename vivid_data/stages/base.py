"""The stage contract shared by every stage and both executors."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, Protocol

import numpy as np
import pandas as pd

Row = dict[str, Any]

#: Row keys a stage may set that the runner moves into the ``stages`` JSON and drops.
DETAIL = "_detail"
BYTES = "_bytes"


class Stage(Protocol):
    """``__call__`` maps one input row to its output rows (usually one; a split video gives more).

    Every output row carries ``status`` (``ok`` / ``rejected`` / ``failed``) and ``reason``.
    Expected problems become rows, never exceptions. Stage objects are pickled to worker
    processes and Ray tasks, so keep them plain data. Optional hooks, run in the main process:
    ``settle(row)`` for row-local decisions that must not invalidate computed results
    (thresholds), and ``finalize(manifest)`` for cross-row decisions (duplicates): it reads the
    assembled parquet manifest a few columns at a time and returns edits by row position (a dict
    of new values, or ``None`` to drop the row) and notes for the stats.
    """

    name: str
    key: str

    def config(self) -> dict[str, Any]: ...

    def __call__(self, row: Row) -> list[Row]: ...


def config_hash(config: dict[str, Any]) -> str:
    """Short stable hash of the config values that change a stage's per-row results."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


def jsonable(value: Any) -> Any:
    """Plain JSON types for journal lines: NA and NaN become None, NumPy scalars become Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    return value


def stage_records(value: Any) -> dict[str, Any]:
    """A row's ``stages`` value (JSON text, a dict or nothing) as a dict: stage name -> its record."""
    if isinstance(value, str) and value:
        return json.loads(value)
    return dict(value or {})


def outcome(row: Row, status: str, reason: str | None = None, detail: str | None = None, **updates: Any) -> Row:
    """A copy of ``row`` with ``updates``, a status and a reason (and a detail for the stage record)."""
    result = {**row, **updates, "status": status, "reason": reason}
    if detail:
        result[DETAIL] = detail
    return result
