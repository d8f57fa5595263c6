"""Politeness for every request of a build, pages and media alike: robots.txt and a per-host interval.

The rules live in one process. A build spreads downloads over ``P`` parallel workers (process
pool workers or Ray tasks), each with its own :class:`Politeness`, so each worker spaces its
requests to a host by ``min_interval_s * P``: together they make at most one request per
``min_interval_s`` per host on average (bursts of up to ``P`` requests can still meet when the
workers happen to start together). A robots.txt ``Crawl-delay`` is spread the same way.
robots.txt is fetched once per worker and origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from vivid_data.net.http import HttpConfig
from vivid_data.net.ratelimit import HostLimiter, WaitPastDeadline
from vivid_data.net.robots import RobotsCache


class RobotsDisallowed(PermissionError):
    """robots.txt of the URL's site forbids our user agent to fetch it; nothing was requested."""


class Politeness:
    """``before(url)`` is called before each request (and each redirect hop) of a download."""

    def __init__(
        self, http: HttpConfig, min_interval_s: float = 0.0, obey_robots: bool = True, parallel_workers: int = 1
    ) -> None:
        self.http = http
        self.obey_robots = obey_robots
        self.parallel_workers = max(1, int(parallel_workers))
        self.interval_s = max(0.0, float(min_interval_s)) * self.parallel_workers
        self.robots = RobotsCache(http) if obey_robots else None
        self.limiter = HostLimiter(self.interval_s, per_host_concurrency=1)

    def before(self, url: str, deadline: float | None = None) -> None:
        """Robots.txt and the host's interval; a wait that would outlast ``deadline`` (monotonic) is not
        slept: :class:`~vivid_data.net.ratelimit.WaitPastDeadline` (a Crawl-delay of 30 s under a
        10 s download deadline fails at once, naming the delay, instead of sleeping and timing out)."""
        delay = 0.0
        if self.robots is not None:
            if not self.robots.allowed(url):
                raise RobotsDisallowed(f"{url}: disallowed by the site's robots.txt for {self.http.user_agent!r}")
            delay = self.robots.crawl_delay(url) * self.parallel_workers  # Crawl-delay is per site, too
        if self.interval_s > 0 or delay > 0:
            try:
                self.limiter.wait(urlsplit(url).netloc, delay, not_after=deadline)
            except WaitPastDeadline as exc:
                cause = (
                    f"robots.txt Crawl-delay {delay:g}s"
                    if delay > self.interval_s
                    else f"interval {self.interval_s:g}s"
                )
                raise WaitPastDeadline(exc.host, exc.wait_s, exc.left_s) from RuntimeError(cause)
