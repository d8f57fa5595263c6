"""robots.txt, fetched once per origin through the safe client and obeyed for every page."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from vivid_data.net.addresses import BlockedAddressError
from vivid_data.net.http import HttpConfig, UrlError, open_url

MAX_ROBOTS_BYTES = 512 * 1024


class RobotsCache:
    """A 4xx robots.txt (none) allows everything; a 5xx or unreachable one allows nothing,
    as the common crawler convention says: the site may be telling us to stay away."""

    def __init__(self, config: HttpConfig) -> None:
        self.config = config
        self._parsers: dict[str, RobotFileParser | bool] = {}
        self._lock = threading.Lock()

    def _load(self, origin: str) -> RobotFileParser | bool:
        try:
            deadline = time.monotonic() + self.config.connect_timeout + 2 * self.config.read_timeout
            with open_url(f"{origin}/robots.txt", self.config, deadline=deadline) as response:
                if 400 <= response.status < 500:
                    return True
                if response.status != 200:
                    return False
                text = response.read_all(MAX_ROBOTS_BYTES).decode("utf-8", errors="replace")
        except BlockedAddressError:
            raise  # the site itself is refused: say so, not "disallowed by robots.txt"
        except (TimeoutError, UrlError, OSError):
            return False
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        return parser

    def _parser(self, url: str) -> RobotFileParser | bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            if origin not in self._parsers:
                self._parsers[origin] = self._load(origin)
            return self._parsers[origin]

    def allowed(self, url: str) -> bool:
        parser = self._parser(url)
        if isinstance(parser, bool):
            return parser
        return parser.can_fetch(self.config.user_agent, url)

    def crawl_delay(self, url: str) -> float:
        parser = self._parser(url)
        if isinstance(parser, bool):
            return 0.0
        delay = parser.crawl_delay(self.config.user_agent)
        return float(delay) if delay else 0.0
