"""Per-host politeness: a minimum interval between requests and a cap on concurrent requests."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict
from collections.abc import Iterator


class WaitPastDeadline(TimeoutError):
    """The host's next allowed request is after the download's deadline: waiting would only end in a timeout."""

    def __init__(self, host: str, wait_s: float, left_s: float) -> None:
        self.host, self.wait_s, self.left_s = host, wait_s, left_s
        super().__init__(f"{host}: the next request allowed in {wait_s:.1f}s, after the deadline ({left_s:.1f}s left)")


class HostLimiter:
    def __init__(self, min_interval_s: float = 1.0, per_host_concurrency: int = 1) -> None:
        self.min_interval_s = min_interval_s
        self.per_host_concurrency = per_host_concurrency
        self._lock = threading.Lock()
        self._next_start: dict[str, float] = defaultdict(float)
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def wait(self, host: str, extra_delay_s: float = 0.0, not_after: float | None = None) -> float:
        """Reserve the host's next start time and sleep until it; returns the seconds slept.

        With ``not_after`` (a ``time.monotonic()`` deadline), a start later than it is not reserved
        and not slept for: :class:`WaitPastDeadline` says how long the wait would have been."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start[host])
            if not_after is not None and start > not_after:
                raise WaitPastDeadline(host, start - now, not_after - now)
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
