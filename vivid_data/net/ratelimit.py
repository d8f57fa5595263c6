"""Per-host politeness: a minimum interval between requests and a cap on concurrent requests."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict
from collections.abc import Iterator


class HostLimiter:
    def __init__(self, min_interval_s: float = 1.0, per_host_concurrency: int = 1) -> None:
        self.min_interval_s = min_interval_s
        self.per_host_concurrency = per_host_concurrency
        self._lock = threading.Lock()
        self._next_start: dict[str, float] = defaultdict(float)
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def wait(self, host: str, extra_delay_s: float = 0.0) -> float:
        """Reserve the host's next start time and sleep until it; returns the seconds slept."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start[host])
            self._next_start[host] = start + max(self.min_interval_s, extra_delay_s)
        if start > now:
            time.sleep(start - now)
        return max(0.0, start - now)

    @contextlib.contextmanager
    def slot(self, host: str, extra_delay_s: float = 0.0) -> Iterator[None]:
        """Wait for a free slot and for the host's next allowed start time, then hold the slot."""
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host_concurrency))
        with semaphore:
            self.wait(host, extra_delay_s)
            yield
