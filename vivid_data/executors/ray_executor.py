"""``ray`` executor: the same stage functions as Ray tasks, on a local or an existing cluster."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterator, Sequence

from vivid_data.executors.base import TaskResult, import_stage_modules, timed_call


class RayExecutor:
    """``address=local`` starts a private local cluster (``num_cpus`` CPUs, default all); any other
    value (``auto``, ``ray://head:10001``) joins an existing cluster. Workers on other machines must
    have this package installed and see the work directory at the same path (a shared filesystem).
    """

    name = "ray"

    def __init__(self, address: str = "local", num_cpus: int | None = None, max_in_flight: int | None = None) -> None:
        self.address = address
        self.num_cpus = num_cpus
        self.max_in_flight = max_in_flight
        self._started_here = False

    def _ensure_ray(self):
        import ray

        if not ray.is_initialized():
            if self.address == "local":
                # local workers see the driver's import path (a checkout, a notebook's folder)
                path = os.pathsep.join(p for p in sys.path if p)
                ray.init(num_cpus=self.num_cpus, include_dashboard=False, log_to_driver=False,
                         configure_logging=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
            else:
                ray.init(address=self.address, log_to_driver=False, configure_logging=False)
            self._started_here = True
        return ray

    def start(self) -> None:
        """Connect (or start the local cluster) and warm one worker per CPU."""
        ray = self._ensure_ray()
        warm = ray.remote(num_cpus=1)(import_stage_modules)
        ray.get([warm.remote() for _ in range(int(ray.cluster_resources().get("CPU", 1)))])

    def map_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[TaskResult]:
        ray = self._ensure_ray()
        remote_call = ray.remote(num_cpus=1, max_retries=0)(timed_call)
        fn_ref = ray.put(fn)
        limit = self.max_in_flight or max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
        queue = iter(enumerate(items))
        pending: list = []
        for index, item in queue:
            pending.append(remote_call.remote(fn_ref, index, item))
            if len(pending) >= limit:
                break
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                yield ray.get(ref)
                nxt = next(queue, None)
                if nxt is not None:
                    pending.append(remote_call.remote(fn_ref, *nxt))

    def close(self) -> None:
        if self._started_here:
            import ray

            ray.shutdown()
            self._started_here = False

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "address": self.address, "num_cpus": self.num_cpus}
