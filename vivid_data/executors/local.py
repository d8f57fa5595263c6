"""``local`` executor: a process pool on this machine (one worker runs in-process)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterator, Sequence

from vivid_data.executors.base import TaskResult, import_stage_modules, timed_call


class LocalExecutor:
    """Runs tasks in ``workers`` spawned processes (default: one per core); ``workers=1`` runs inline.

    At most ``2 * workers`` tasks are in flight, so a large manifest is not pickled all at once.
    The pool is started on first use and kept for the following stages until :meth:`close`.
    """

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = int(workers or os.cpu_count() or 1)
        if self.workers < 1:
            raise ValueError(f"executor.workers must be at least 1, got {workers}")
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def start(self) -> None:
        """Start the workers and import the stage modules in each (optional; the first map does it)."""
        if self.workers > 1:
            pool = self._get_pool()
            for future in [pool.submit(import_stage_modules) for _ in range(self.workers)]:
                future.result()

    def map_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[TaskResult]:
        if self.workers == 1:
            for index, item in enumerate(items):
                yield timed_call(fn, index, item)
            return
        pool = self._get_pool()
        pending = set()
        queue = iter(enumerate(items))
        try:
            for index, item in queue:
                pending.add(pool.submit(timed_call, fn, index, item))
                if len(pending) >= 2 * self.workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.add(pool.submit(timed_call, fn, *nxt))
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": self.workers}
