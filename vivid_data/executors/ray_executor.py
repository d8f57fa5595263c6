"""``ray`` executor: the same stage functions as Ray tasks, on a local or an existing cluster.

Each task asks for the stage's declared resources (``resources.cpus``, ``resources.gpus``).
A stage's ``setup()`` runs once per Ray worker process (the set-up copy is cached there), and a
task whose worker dies (out of memory, a crash) comes back as a ``worker_died`` result for
that row alone; Ray starts a new worker for the next task.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from vivid_data.config_defaults import yaml_defaults
from vivid_data.executors.base import (
    TIMEOUT,
    WORKER_DIED,
    TaskResult,
    import_stage_modules,
    new_token,
    resources_of,
    run_task_in_worker,
)
from vivid_data.quiet import worker_env

#: defaults: conf/executor/ray.yaml
DEFAULTS = yaml_defaults("executor/ray.yaml")


class RayExecutor:
    """``address=local`` starts a private local cluster (``num_cpus`` CPUs, default all; ``num_gpus``
    GPUs, default those visible); any other value (``auto``, ``ray://head:10001``) joins an existing
    cluster. Workers on other machines must have this package installed and see the work directory
    at the same path (a shared filesystem).
    """

    name = "ray"

    def __init__(
        self,
        address: str = DEFAULTS["address"],
        num_cpus: int | None = DEFAULTS["num_cpus"],
        max_in_flight: int | None = DEFAULTS["max_in_flight"],
        num_gpus: int | None = DEFAULTS["num_gpus"],
        row_timeout_s: float | None = DEFAULTS["row_timeout_s"],
    ) -> None:
        self.address = address
        self.num_cpus = num_cpus
        self.num_gpus = num_gpus
        self.max_in_flight = max_in_flight
        if row_timeout_s is not None and row_timeout_s <= 0:
            raise ValueError(f"executor.row_timeout_s must be positive (or null), got {row_timeout_s}")
        self.row_timeout_s = row_timeout_s
        self._started_here = False
        self.deaths: list[dict[str, Any]] = []

    def _ensure_ray(self):
        import ray

        if not ray.is_initialized():
            if self.address == "local":
                # local workers see the driver's import path (a checkout, a notebook's folder)
                path = os.pathsep.join(p for p in sys.path if p)
                ray.init(
                    num_cpus=self.num_cpus,
                    num_gpus=self.num_gpus,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                    runtime_env={"env_vars": {"PYTHONPATH": path, **worker_env()}},
                )
            else:
                ray.init(
                    address=self.address,
                    log_to_driver=False,
                    configure_logging=False,
                    runtime_env={"env_vars": worker_env()},
                )
            self._started_here = True
        return ray

    def start(self) -> None:
        """Connect (or start the local cluster) and warm one worker per CPU."""
        ray = self._ensure_ray()
        warm = ray.remote(num_cpus=1)(import_stage_modules)
        ray.get([warm.remote() for _ in range(int(ray.cluster_resources().get("CPU", 1)))])

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[TaskResult]:
        ray = self._ensure_ray()
        needs = resources_of(fn)
        gpus_available = ray.cluster_resources().get("GPU", 0)
        if needs.gpus > gpus_available:
            raise ValueError(
                f"{type(fn).__name__} asks for {needs.gpus:g} GPU(s) per task but the Ray cluster has "
                f"{gpus_available:g}; set its resources.gpus=0 or join a cluster with GPUs"
            )
        remote_call = ray.remote(num_cpus=needs.cpus, num_gpus=needs.gpus, max_retries=0)(run_task_in_worker)
        token = new_token(fn)
        fn_ref = ray.put(fn)
        slots = int(ray.cluster_resources().get("CPU", 1) // max(needs.cpus, 1e-9))
        limit = self.max_in_flight or max(2, 2 * slots)
        queue = iter(enumerate(items))
        pending: dict[Any, int] = {}
        started: dict[Any, float] = {}  # submission time by task: what the row time limit counts from

        def submit(task) -> None:
            index, item = task
            ref = remote_call.remote(token, fn_ref, index, item)
            pending[ref] = index
            started[ref] = time.monotonic()

        for task in queue:
            submit(task)
            if len(pending) >= limit:
                break
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1, timeout=self._wait_s(started))
                for ref in done:
                    del started[ref]
                finished = [self._result(ray, ref, pending.pop(ref)) for ref in done] or self._overdue(
                    ray, pending, started
                )
                for result in finished:
                    yield result
                    following = next(queue, None)
                    if following is not None:
                        submit(following)
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)

    def _result(self, ray, ref, index: int) -> TaskResult:
        """A finished task's result; Ray's own failures (a dead worker or node) as ``worker_died``."""
        from ray.exceptions import RayError, RayTaskError

        try:
            return ray.get(ref)
        except RayTaskError as exc:  # run_task catches everything: this is Ray's own failure
            return TaskResult(index, None, f"Ray task failed: {exc}", 0.0, WORKER_DIED)
        except RayError as exc:  # the worker died (OOM kill, crash) or the node went away
            self.deaths.append({"task": index, "exit": type(exc).__name__})
            detail = f"Ray worker died while processing this row ({type(exc).__name__}: {str(exc)[:500]})"
            return TaskResult(index, None, detail, 0.0, WORKER_DIED)

    def _overdue(self, ray, pending: dict[Any, int], started: dict[Any, float]) -> list[TaskResult]:
        """``timeout`` results for the tasks past the row time limit, each cancelled (its worker killed)."""
        out = []
        for ref, index in list(pending.items()):
            elapsed = time.monotonic() - started[ref]
            if self.row_timeout_s is None or elapsed < self.row_timeout_s:
                continue
            del pending[ref], started[ref]
            ray.cancel(ref, force=True)
            self.deaths.append({"task": index, "exit": "timeout"})
            detail = (
                f"Ray task spent {elapsed:.1f}s on this row, over the limit "
                f"executor.row_timeout_s={self.row_timeout_s:g}; it was cancelled (its worker killed)"
            )
            out.append(TaskResult(index, None, detail, elapsed, TIMEOUT))
        return out

    def _wait_s(self, started: dict[Any, float]) -> float | None:
        """Seconds until the oldest pending task reaches the row time limit (None: wait for a result)."""
        if self.row_timeout_s is None or not started:
            return None
        return max(0.0, min(started.values()) + self.row_timeout_s - time.monotonic())

    def close(self) -> None:
        if self._started_here:
            import ray

            ray.shutdown()
            self._started_here = False

    def describe(self) -> dict[str, Any]:
        return {
            "executor": self.name,
            "address": self.address,
            "num_cpus": self.num_cpus,
            "num_gpus": self.num_gpus,
            "row_timeout_s": self.row_timeout_s,
        }

    def parallelism(self, resources=None) -> int:
        """Tasks that may run at once on the cluster (for per-host download intervals)."""
        ray = self._ensure_ray()
        cpus = resources.cpus if resources is not None else 1.0
        return max(1, int(ray.cluster_resources().get("CPU", 1) / cpus))
