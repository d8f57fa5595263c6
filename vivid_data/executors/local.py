"""``local`` executor: a process pool on this machine (one worker runs in-process)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterator, Sequence

from vivid_data.executors.base import TaskResult, timed_call


class LocalExecutor:
    """Runs tasks in ``workers`` spawned processes (default: one per core); ``workers=1`` runs inline.

    At most ``2 * workers`` tasks are in flight, so a large manifest is not pickled all at once.
    """

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = int(workers or os.cpu_count() or 1)
        if self.workers < 1:
            raise ValueError(f"executor.workers must be at least 1, got {workers}")

    def map_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[TaskResult]:
        if self.workers == 1:
            for index, item in enumerate(items):
                yield timed_call(fn, index, item)
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            pending = set()
            queue = iter(enumerate(items))
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

    def close(self) -> None:
        pass

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": self.workers}
