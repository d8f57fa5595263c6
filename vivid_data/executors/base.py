"""What executors share: task results, declared resources, and stage set-up once per worker.

A stage object travels to workers as plain data (its config); whatever is heavy (an ONNX
session, a PyTorch model) is opened by its ``setup()`` in the worker, once per worker and
stage, the way cosmos-curate stages do. The same code runs in a pool worker, a Ray worker
and in-process.
"""

from __future__ import annotations

import math
import os
import sys
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: what went wrong with a task: its function raised, its set-up raised, or its worker died
EXCEPTION, SETUP_ERROR, WORKER_DIED, TIMEOUT = "exception", "setup_error", "worker_died", "timeout"


@dataclass
class TaskResult:
    index: int
    value: Any
    error: str | None
    duration_s: float
    kind: str | None = None  # None when ok; else EXCEPTION, SETUP_ERROR, WORKER_DIED or TIMEOUT


@dataclass(frozen=True)
class StageResources:
    """What one task of a stage needs: CPU cores and GPUs (fractions share a GPU between tasks)."""

    cpus: float = 1.0
    gpus: float = 0.0

    @classmethod
    def of(cls, value: Any) -> StageResources:
        if isinstance(value, StageResources):
            return value
        values = dict(value or {})
        unknown = set(values) - {"cpus", "gpus"}
        if unknown:
            raise ValueError(f"resources: unknown keys {sorted(unknown)}; use cpus and gpus")
        resources = cls(float(values.get("cpus", 1.0)), float(values.get("gpus", 0.0)))
        if resources.cpus <= 0 or resources.gpus < 0:
            raise ValueError(f"resources: cpus must be > 0 and gpus >= 0, got {resources}")
        return resources


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def limit_threads(cpus: float) -> int:
    """Give this worker process as many threads as its stage declared CPUs (at least one).

    A pool sized by declared CPUs oversubscribes the machine if each worker's torch, OpenCV and
    BLAS spread over every core. Environment variables reach libraries imported later (a stage's
    ``setup()`` imports torch); those already imported are told directly. Not for the main process.
    """
    count = max(1, math.ceil(cpus))
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(count)
    import cv2

    cv2.setNumThreads(count)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(count)
    return count


def resources_of(fn: Any) -> StageResources:
    return StageResources.of(getattr(fn, "resources", None))


def new_token(fn: Any) -> str:
    """Names one stage object for the workers' set-up cache (unique per map call)."""
    return f"{type(fn).__name__}-{uuid.uuid4().hex[:12]}"


class _SetupFailed(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


#: per worker process: the stage objects set up most recently, by token
_PREPARED: OrderedDict[str, Any] = OrderedDict()
_KEEP = 2


def prepared(token: str, fn: Any) -> Any:
    """The worker's set-up copy of ``fn`` (``fn.setup()`` runs on first use in this process)."""
    if token in _PREPARED:
        value = _PREPARED[token]
        if isinstance(value, _SetupFailed):
            raise value
        return value
    try:
        setup = getattr(fn, "setup", None)
        if callable(setup):
            setup()
        ready: Any = fn
    except Exception:
        ready = _SetupFailed(traceback.format_exc(limit=8))
    _PREPARED[token] = ready
    while len(_PREPARED) > _KEEP:
        _, old = _PREPARED.popitem(last=False)
        teardown = getattr(old, "teardown", None)
        if callable(teardown):
            teardown()
    if isinstance(ready, _SetupFailed):
        raise ready
    return ready


def run_task_in_worker(token: str, fn: Callable[[Any], Any], index: int, item: Any) -> TaskResult:
    """``run_task`` in a worker process that runs stages of any kind (a Ray worker): threads limited first."""
    limit_threads(resources_of(fn).cpus)
    return run_task(token, fn, index, item)


def run_task(token: str, fn: Callable[[Any], Any], index: int, item: Any) -> TaskResult:
    """Run ``fn(item)`` on the worker's set-up copy; an exception comes back as text (it may not pickle)."""
    started = time.perf_counter()
    try:
        ready = prepared(token, fn)
    except _SetupFailed as exc:
        return TaskResult(index, None, exc.text, time.perf_counter() - started, SETUP_ERROR)
    try:
        return TaskResult(index, ready(item), None, time.perf_counter() - started)
    except Exception:
        return TaskResult(index, None, traceback.format_exc(limit=8), time.perf_counter() - started, EXCEPTION)


def timed_call(fn: Callable[[Any], Any], index: int, item: Any) -> TaskResult:
    """``fn(item)`` without set-up caching (plain functions)."""
    return run_task(new_token(fn), fn, index, item)


def import_stage_modules(_: object = None) -> int:
    """Run in each worker at start-up so the first real task does not pay for the imports."""
    import vivid_data.stages.clean
    import vivid_data.stages.ingest  # noqa: F401

    return 0
