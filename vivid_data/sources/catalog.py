"""Source ``catalog``: crawl product pages of a shop and propose their garment-video pairs.

Breadth-first from the seed URLs, same host only, at most ``max_pages`` pages, robots.txt
obeyed (including Crawl-delay), a minimum interval and a concurrency cap per host, a polite
User-Agent, and the same address checks as every other request.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from vivid_data.candidates import candidates_frame
from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.net.addresses import BlockedAddressError
from vivid_data.net.http import HttpConfig, UrlError, open_url
from vivid_data.net.ratelimit import HostLimiter
from vivid_data.net.robots import RobotsCache
from vivid_data.net.urls import normalize_url
from vivid_data.sniff import sniff_bytes
from vivid_data.sources.base import SourceResult, no_resources
from vivid_data.sources.catalog_extract import ExtractRules, PageFindings, Selector, extract


def _host_of(link: str) -> str | None:
    try:
        return urlsplit(link).netloc
    except ValueError:  # a malformed link on a page
        return None


def _selectors(values: Any) -> list[Selector]:
    out = []
    for value in values or []:
        out.append(Selector(value) if isinstance(value, str) else Selector(value["css"], value.get("attr", "src")))
    return out


@dataclass
@defaults_from("source/catalog.yaml")
class CatalogSource:
    seeds: list[str] = FROM_YAML
    max_pages: int = FROM_YAML
    concurrency: int = FROM_YAML
    per_host_concurrency: int = FROM_YAML
    min_interval_s: float = FROM_YAML
    max_page_bytes: int = FROM_YAML
    connect_timeout_s: float = FROM_YAML
    read_timeout_s: float = FROM_YAML
    user_agent: str | None = FROM_YAML
    allow_private_hosts: Any = FROM_YAML
    selectors: dict[str, Any] = FROM_YAML
    video_regex: str | None = FROM_YAML
    garment_regex: str | None = FROM_YAML
    category_map: dict[str, str] = FROM_YAML
    default_category: str | None = FROM_YAML
    license: str | None = FROM_YAML

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("source catalog needs at least one seed URL (source.seeds=[...])")
        self.http = HttpConfig(
            connect_timeout=self.connect_timeout_s,
            read_timeout=self.read_timeout_s,
            allow_private_hosts=self.allow_private_hosts,
        )
        if self.user_agent:
            self.http.user_agent = self.user_agent
        self.rules = ExtractRules(
            video=_selectors(self.selectors.get("video")),
            garment=_selectors(self.selectors.get("garment")),
            category=_selectors(self.selectors.get("category")),
            product_id=_selectors(self.selectors.get("product_id")),
            video_regex=self.video_regex,
            garment_regex=self.garment_regex,
            category_map=dict(self.category_map),
            default_category=self.default_category,
        )

    def _fetch_page(self, url: str, robots: RobotsCache, limiter: HostLimiter) -> tuple[str, Any]:
        """One page: what it held, or why not. Nothing a page or its URL does escapes as an exception."""
        try:
            return self._fetch_page_unsafe(url, robots, limiter)
        except Exception as exc:
            return "error", f"{type(exc).__name__}: {exc}"

    def _fetch_page_unsafe(self, url: str, robots: RobotsCache, limiter: HostLimiter) -> tuple[str, Any]:
        try:
            url = normalize_url(url)
            if not robots.allowed(url):
                return "robots", None
        except (BlockedAddressError, UrlError) as exc:
            return "refused", str(exc)
        deadline = time.monotonic() + self.connect_timeout_s + 3 * self.read_timeout_s
        with limiter.slot(urlsplit(url).netloc, robots.crawl_delay(url)):
            try:
                with open_url(url, self.http, deadline=deadline) as response:
                    if response.status != 200:
                        return "http_error", f"HTTP {response.status}"
                    body = response.read_all(self.max_page_bytes)
                    final_url = response.url
            except (BlockedAddressError, UrlError) as exc:
                return "refused", str(exc)
            except OSError as exc:
                return "network_error", f"{type(exc).__name__}: {exc}"
        if sniff_bytes(body[:64]) not in ("html", None):
            return "not_html", "not an HTML page"
        return "page", extract(body.decode("utf-8", errors="replace"), final_url, self.rules)

    def crawl(self) -> tuple[list[PageFindings], dict[str, Any]]:
        robots = RobotsCache(self.http)
        limiter = HostLimiter(self.min_interval_s, self.per_host_concurrency)
        hosts = {urlsplit(seed).netloc for seed in self.seeds}
        queue = deque(dict.fromkeys(self.seeds))
        seen = set(queue)
        pages: list[PageFindings] = []
        notes: dict[str, Any] = {"robots_disallowed": [], "page_errors": []}
        fetched = 0
        lock = threading.Lock()
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="crawl") as pool:
            running: dict[Future, str] = {}
            while queue or running:
                while queue and len(running) < self.concurrency and fetched + len(running) < self.max_pages:
                    url = queue.popleft()
                    running[pool.submit(self._fetch_page, url, robots, limiter)] = url
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    url = running.pop(future)
                    kind, value = future.result()
                    with lock:
                        if kind == "robots":
                            notes["robots_disallowed"].append(url)
                            continue
                        fetched += 1
                        if kind != "page":
                            notes["page_errors"].append(f"{url}: {kind} {value}")
                            continue
                        pages.append(value)
                        for link in value.links:
                            if _host_of(link) in hosts and link not in seen:
                                seen.add(link)
                                queue.append(link)
        notes["pages_fetched"] = fetched
        return pages, notes

    def candidates(self) -> SourceResult:
        pages, notes = self.crawl()
        rows, without_video, without_category = [], [], []
        for page in pages:
            if not page.video and not page.garment:
                continue  # a listing or other page, not a product
            if not page.video or not page.garment:
                without_video.append(f"{page.url}: {'no video' if not page.video else 'no garment image'}")
                continue
            if not page.category:
                without_category.append(f"{page.url}: category {page.category_text!r} not mapped")
                continue
            rows.append(
                {
                    "category": page.category,
                    "video_src": page.video,
                    "garment_src": page.garment,
                    "product_id": page.product_id,
                    "origin": page.url,
                    "attribution": page.url,
                    "license": self.license,
                    "local_files": False,
                }
            )
        notes.update(products=len(rows), incomplete_products=without_video, unmapped_category=without_category)
        notes["problems"] = without_video + without_category
        return SourceResult(candidates_frame(rows), notes)

    def open(self):
        return no_resources(self.candidates())
