"""``local`` executor: worker processes on this machine (one worker runs in-process).

Each worker holds one task at a time over its own pipe, so when the kernel kills a worker
(out of memory, a crash in native code) exactly the row it held is known: that row becomes a
``worker_died`` result, a fresh worker takes the dead one's place and the build goes on.
Workers die with the main process (``PR_SET_PDEATHSIG`` on Linux, and a watchdog thread
everywhere), so killing a build leaves no orphans.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from vivid_data.config_defaults import yaml_defaults
from vivid_data.executors.base import (
    TIMEOUT,
    WORKER_DIED,
    StageResources,
    TaskResult,
    import_stage_modules,
    limit_threads,
    new_token,
    resources_of,
    run_task,
)


def _die_with_parent(parent_pid: int) -> None:
    """End this worker when the main process ends, whichever way it ends."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us with our parent
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(1.0)

    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=watch, name="vivid-parent-watch", daemon=True).start()


def _worker_main(conn: Connection, parent_pid: int) -> None:
    """A worker's loop: ("fn", token, fn) installs a stage, ("task", index, item) runs it, ("stop",) ends."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    token, fn = None, None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "stop":
            return
        if message[0] == "fn":
            _, token, fn = message
            limit_threads(resources_of(fn).cpus)
            continue
        _, index, item = message
        assert token is not None and fn is not None, "the parent sends the function before its tasks"
        conn.send(run_task(token, fn, index, item))


def describe_exit(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (the kernel's out-of-memory killer sends SIGKILL)" if -code == signal.SIGKILL else ""
        return f"was killed by {name}{hint}"
    return f"exited with code {code}"


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    token: str | None = None
    task: tuple[int, Any] | None = None
    started: float = field(default_factory=time.monotonic)


def _check_picklable(fn: Any) -> None:
    """A stage that cannot be pickled fails here, with the fix, not in a worker."""
    try:
        pickle.dumps(fn)
    except Exception as exc:
        raise TypeError(
            f"{type(fn).__name__} cannot be sent to worker processes ({exc}); keep stage objects "
            "plain data and open models and sessions in setup()"
        ) from exc


#: defaults: conf/executor/local.yaml
DEFAULTS = yaml_defaults("executor/local.yaml")


class LocalExecutor:
    """Runs tasks in ``workers`` spawned processes (default: one per core); ``workers=1`` runs inline.

    A task that runs longer than ``row_timeout_s`` (a stuck decoder, a worker stopped by a signal)
    is a ``timeout`` result: its worker is killed and replaced, the other rows go on. Inline
    (``workers=1``) nothing can be killed, so there is no limit there.

    The pool is started on first use and kept for the following stages until :meth:`close`.
    A stage runs ``workers / resources.cpus`` tasks at once: fewer for a stage that needs two
    cores, more for one that mostly waits on the network (ingest declares 0.5 CPU, so a
    stalled server does not idle a core); the pool grows to what a stage needs.
    """

    name = "local"

    def __init__(
        self, workers: int | None = DEFAULTS["workers"], row_timeout_s: float | None = DEFAULTS["row_timeout_s"]
    ) -> None:
        self.workers = int(workers or os.cpu_count() or 1)
        if self.workers < 1:
            raise ValueError(f"executor.workers must be at least 1, got {workers}")
        if row_timeout_s is not None and row_timeout_s <= 0:
            raise ValueError(f"executor.row_timeout_s must be positive (or null), got {row_timeout_s}")
        self.row_timeout_s = row_timeout_s
        self._context = multiprocessing.get_context("spawn")
        self._pool: list[_Worker] = []
        self.deaths: list[dict[str, Any]] = []

    # ---- the pool ----------------------------------------------------------------------
    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main, args=(child, os.getpid()), daemon=True, name="vivid-worker"
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _ensure_pool(self, size: int | None = None) -> list[_Worker]:
        while len(self._pool) < (size or self.workers):
            self._pool.append(self._spawn())
        return self._pool

    def _replace(self, worker: _Worker) -> _Worker:
        self._discard(worker)
        fresh = self._spawn()
        self._pool[self._pool.index(worker)] = fresh
        return fresh

    @staticmethod
    def _discard(worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def start(self) -> None:
        """Start the workers and import the stage modules in each (optional; the first map does it)."""
        if self.workers > 1:
            for _ in self.map_unordered(import_stage_modules, list(range(self.workers))):
                pass

    def concurrency(self, resources: StageResources) -> int:
        """Tasks of a stage run at once: ``workers / cpus`` (at least 1)."""
        return max(1, int(self.workers / resources.cpus))

    # ---- running tasks -----------------------------------------------------------------
    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[TaskResult]:
        token = new_token(fn)
        if self.workers == 1:
            for index, item in enumerate(items):
                yield run_task(token, fn, index, item)
            return
        _check_picklable(fn)
        limit = self.concurrency(resources_of(fn))
        self._ensure_pool(limit)
        waiting = _Pending(enumerate(items))  # drawn as workers free up: never the whole list at once
        busy: list[_Worker] = []
        try:
            while waiting or busy:
                self._dispatch(waiting, busy, limit, token, fn)
                if not busy:
                    continue
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=self._wait_s(busy))
                for worker in list(busy):
                    result = self._collect(worker, ready) or self._overdue(worker)
                    if result is None:
                        continue
                    busy.remove(worker)
                    worker.task = None
                    if result.kind in (WORKER_DIED, TIMEOUT):
                        self._replace(worker)
                    yield result
        finally:
            for worker in busy:  # the caller stopped early: these results would reach the next stage
                self._replace(worker)

    def _dispatch(self, waiting: _Pending, busy: list[_Worker], limit: int, token: str, fn: Any) -> None:
        """Give waiting tasks to idle workers until ``limit`` run at once; a dead idle worker is replaced."""
        for worker in list(self._pool):
            if not waiting or len(busy) >= limit:
                return
            if worker in busy:
                continue
            task = waiting.pop()
            if not self._send(worker, token, fn, task):
                waiting.push_back(task)  # never started: give it to another worker
                self._replace(worker)
                continue
            busy.append(worker)

    def _send(self, worker: _Worker, token: str, fn: Any, task: tuple[int, Any]) -> bool:
        try:
            if worker.token != token:
                worker.conn.send(("fn", token, fn))
                worker.token = token
            worker.conn.send(("task", *task))
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
            return False
        worker.task = task
        worker.started = time.monotonic()
        return True

    def _wait_s(self, busy: list[_Worker]) -> float | None:
        """How long to wait for a result before the first busy worker runs past the row time limit."""
        if self.row_timeout_s is None:
            return None
        now = time.monotonic()
        return max(0.0, min(w.started + self.row_timeout_s - now for w in busy))

    def _overdue(self, worker: _Worker) -> TaskResult | None:
        """A ``timeout`` result for a worker past the row time limit (stuck, stopped, looping); None otherwise.
        The caller replaces the worker: its row fails, the build goes on."""
        elapsed = time.monotonic() - worker.started
        if self.row_timeout_s is None or elapsed < self.row_timeout_s:
            return None
        index = worker.task[0] if worker.task else -1
        self.deaths.append({"pid": worker.process.pid, "exit": "timeout", "task": index})
        detail = (
            f"worker process {worker.process.pid} spent {elapsed:.1f}s on this row, over the limit "
            f"executor.row_timeout_s={self.row_timeout_s:g}; it was killed and replaced"
        )
        return TaskResult(index, None, detail, elapsed, TIMEOUT)

    def _collect(self, worker: _Worker, ready: list) -> TaskResult | None:
        """The worker's result if it has one, a ``worker_died`` result if it died, else None."""
        if worker.conn in ready or worker.conn.poll():
            try:
                return worker.conn.recv()
            except (EOFError, OSError):
                pass
        elif worker.process.sentinel not in ready and worker.process.is_alive():
            return None
        worker.process.join(timeout=5)
        index = worker.task[0] if worker.task else -1
        what = describe_exit(worker.process.exitcode)
        self.deaths.append({"pid": worker.process.pid, "exit": what, "task": index})
        detail = (
            f"worker process {worker.process.pid} {what} while processing this row, after "
            f"{time.monotonic() - worker.started:.1f}s; the row's data may need more memory than the "
            "worker had (see the resource caps of ingest)"
        )
        return TaskResult(index, None, detail, time.monotonic() - worker.started, WORKER_DIED)

    def close(self) -> None:
        for worker in self._pool:
            try:
                worker.conn.send(("stop",))
            except (BrokenPipeError, OSError):
                pass
        for worker in self._pool:
            worker.process.join(timeout=5)
            self._discard(worker)
        self._pool = []

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": self.workers, "row_timeout_s": self.row_timeout_s}

    def parallelism(self, resources: StageResources | None = None) -> int:
        """Tasks that run at once (of a stage with these resources)."""
        return 1 if self.workers == 1 else self.concurrency(resources or StageResources())


class _Pending:
    """Tasks drawn lazily from an iterator, with room to put one back (a send that failed)."""

    def __init__(self, tasks: Iterator[tuple[int, Any]]) -> None:
        self._tasks = tasks
        self._back: list[tuple[int, Any]] = []
        self._next: tuple[int, Any] | None = None

    def __bool__(self) -> bool:
        if self._back or self._next is not None:
            return True
        self._next = next(self._tasks, None)
        return self._next is not None

    def pop(self) -> tuple[int, Any]:
        if self._back:
            return self._back.pop()
        if not self:
            raise IndexError("no tasks left")
        task, self._next = self._next, None
        assert task is not None
        return task

    def push_back(self, task: tuple[int, Any]) -> None:
        self._back.append(task)
