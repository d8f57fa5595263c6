"""What executors return for each task, computed the same way in a process pool and in Ray."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable


@dataclass
class TaskResult:
    index: int
    value: Any
    error: str | None
    duration_s: float


def timed_call(fn: Callable[[Any], Any], index: int, item: Any) -> TaskResult:
    """Run ``fn(item)``; an unexpected exception is returned as text (exceptions may not pickle)."""
    started = time.perf_counter()
    try:
        return TaskResult(index, fn(item), None, time.perf_counter() - started)
    except Exception:  # noqa: BLE001 - a bug in one row must not end the run; it is recorded
        return TaskResult(index, None, traceback.format_exc(limit=8), time.perf_counter() - started)


def import_stage_modules(_: object = None) -> int:
    """Run in each worker at start-up so the first real task does not pay for the imports."""
    import vivid_data.stages.clean  # noqa: F401
    import vivid_data.stages.ingest  # noqa: F401

    return 0
