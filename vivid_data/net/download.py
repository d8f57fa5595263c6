"""Download untrusted URLs into the content store: streamed, capped, sniffed, retried, atomic."""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

from vivid_data.atomic import named_os_error, temp_name
from vivid_data.net.addresses import BlockedAddressError
from vivid_data.net.http import DeadlineExceeded, HttpConfig, UrlError, open_url
from vivid_data.net.polite import Politeness, RobotsDisallowed
from vivid_data.net.ratelimit import WaitPastDeadline
from vivid_data.sniff import IMAGE_KINDS, VIDEO_KINDS, sniff_bytes
from vivid_data.store import ContentStore, StoredObject, key_for

CHUNK = 1 << 16
EXPECTED_KINDS = {"video": VIDEO_KINDS, "image": IMAGE_KINDS, "any": VIDEO_KINDS | IMAGE_KINDS}
#: ``expect="file"``: anything but a web page (model checkpoints, archives)


class DownloadError(Exception):
    """A URL that could not be stored. ``permanent`` errors are about the data (a ``rejected`` row);
    the others mean something broke (a ``failed`` row, retried by ``retry_failed=true``)."""

    def __init__(self, url: str, reason: str, detail: str, permanent: bool) -> None:
        self.url, self.reason, self.detail, self.permanent = url, reason, detail, permanent
        super().__init__(f"{url}: {reason} ({detail})")


@dataclass
class DownloadConfig:
    http: HttpConfig
    max_bytes: int = 512 * 1024 * 1024
    retries: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    #: seconds one download may take in all (every attempt and backoff); a slow-drip server cannot hold it longer
    deadline_s: float = 600.0


@dataclass(frozen=True)
class Downloaded:
    stored: StoredObject
    kind: str
    url: str
    final_url: str
    attempts: int


class _Retryable(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        self.reason, self.detail = reason, detail
        super().__init__(detail)


def _check_kind(head: bytes, url: str, expect: str) -> str:
    """The sniffed kind of the first bytes; wrong content for what was asked is a permanent error."""
    found = sniff_bytes(head[:64]) or "bin"
    if (found == "html") if expect == "file" else (found not in EXPECTED_KINDS[expect]):
        what = "an HTML page" if found == "html" else f"{found} content"
        raise DownloadError(url, f"not_a_{expect}", f"server sent {what}", permanent=True)
    return found


def _read_chunk(response, size: int, declared: int | None) -> bytes:
    try:
        return response.read(CHUNK)
    except http.client.IncompleteRead as exc:
        raise _Retryable(
            "truncated_body",
            f"connection closed after {size + len(exc.partial)} bytes" + (f" of {declared}" if declared else ""),
        ) from exc


def _stream_to_temp(response, url: str, directory: Path, max_bytes: int, expect: str) -> tuple[Path, str, str, int]:
    """Write the body to a temporary file while hashing; check the size cap and the magic bytes."""
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise DownloadError(url, "too_large", f"Content-Length {declared} > cap {max_bytes}", permanent=True)
    name = temp_name(directory / "download")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise named_os_error(exc, name) from exc
    digest = hashlib.sha256()
    size, kind, head = 0, None, b""
    try:
        with os.fdopen(fd, "wb") as handle:
            while chunk := _read_chunk(response, size, declared):
                if kind is None and len(head) < 64:
                    head += chunk[: 64 - len(head)]
                    if len(head) >= 64:  # a slow server may send the first bytes one at a time
                        kind = _check_kind(head, url, expect)
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadError(url, "too_large", f"body exceeds cap {max_bytes}", permanent=True)
                digest.update(chunk)
                try:
                    handle.write(chunk)
                except OSError as exc:
                    raise named_os_error(exc, name) from exc
        if size == 0:
            raise DownloadError(url, "empty_body", "0 bytes", permanent=True)
        if declared is not None and size < declared:
            raise _Retryable("truncated_body", f"got {size} of {declared} bytes")
        return Path(name), digest.hexdigest(), kind or _check_kind(head, url, expect), size
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


class _StoreError(Exception):
    """Writing into the store failed (a full disk, a read-only folder): not the URL's fault, not retried."""


def download(
    url: str, store: ContentStore, config: DownloadConfig, expect: str = "any", politeness: Politeness | None = None
) -> Downloaded:
    """Fetch ``url`` into ``store`` (identical bytes are stored once) and return what was stored.

    Retries with exponential backoff on timeouts, connection errors, truncated bodies and 5xx;
    never on 4xx, bad URLs, blocked addresses, robots.txt refusals or wrong content. The whole
    download, every attempt included, ends at ``config.deadline_s``. ``politeness`` applies
    robots.txt and the per-host interval before every request and redirect hop.
    """
    deadline = time.monotonic() + config.deadline_s
    before = (lambda hop: politeness.before(hop, deadline)) if politeness is not None else None
    last: _Retryable | None = None
    attempt = 0
    for attempt in range(1, config.retries + 2):
        if attempt > 1:
            delay = min(config.max_backoff_s, config.backoff_s * 2 ** (attempt - 2))
            delay *= 1 + 0.1 * random.random()
            if time.monotonic() + delay >= deadline:
                break
            time.sleep(delay)
        try:
            return _attempt(url, store, config, expect, deadline, before, attempt)
        except _Retryable as exc:
            last = exc
        if time.monotonic() >= deadline:
            raise DownloadError(
                url,
                "deadline_exceeded",
                f"{last.detail if last else 'no answer'}; "
                f"deadline {config.deadline_s:g}s passed after {attempt} attempt(s)",
                permanent=False,
            )
    if last is None:
        raise DownloadError(url, "deadline_exceeded", f"deadline {config.deadline_s:g}s passed", permanent=False)
    raise DownloadError(url, last.reason, f"{last.detail}; gave up after {attempt} attempts", permanent=False)


def _attempt(
    url: str, store: ContentStore, config: DownloadConfig, expect: str, deadline: float, before, attempt: int
) -> Downloaded:
    """One request: the stored download, a :class:`_Retryable` worth another try, or a final DownloadError."""
    try:
        with open_url(url, config.http, deadline=deadline, before_request=before) as response:
            _check_status(url, response.status)
            temp, sha, kind, _size = _stream_to_temp(response, url, store.root, config.max_bytes, expect)
            final_url = response.url
        stored = _store(temp, store, key_for(sha, kind), sha)
        return Downloaded(stored, kind, url, final_url, attempt)
    except BlockedAddressError as exc:
        raise DownloadError(url, "blocked_address", str(exc), permanent=True) from exc
    except UrlError as exc:
        raise DownloadError(url, "bad_url", str(exc), permanent=True) from exc
    except RobotsDisallowed as exc:
        raise DownloadError(url, "robots_disallowed", str(exc), permanent=True) from exc
    except WaitPastDeadline as exc:
        cause = f"{exc.__cause__}: " if exc.__cause__ else ""
        raise DownloadError(
            url,
            "politeness_past_deadline",
            f"{cause}the next request to {exc.host} is allowed in {exc.wait_s:.0f}s, after the download deadline "
            f"(ingest.deadline_s={config.deadline_s:g}); not waited for",
            permanent=False,
        ) from exc
    except DeadlineExceeded as exc:
        raise DownloadError(
            url, "deadline_exceeded", f"{exc} (deadline {config.deadline_s:g}s, attempt {attempt})", permanent=False
        ) from exc
    except _StoreError as exc:
        raise DownloadError(url, "store_error", str(exc), permanent=False) from exc
    except TimeoutError as exc:
        raise _Retryable("timeout", f"no data for {config.http.read_timeout}s: {exc}") from exc
    except (ConnectionError, http.client.HTTPException, OSError) as exc:
        if getattr(exc, "filename", None):  # our own temporary file, not the network
            raise DownloadError(url, "store_error", str(exc), permanent=False) from exc
        raise _Retryable("connection_error", f"{type(exc).__name__}: {exc}") from exc


def _check_status(url: str, status: int) -> None:
    if 500 <= status < 600:
        raise _Retryable(f"http_{status}", f"server error {status}")
    if status >= 400:
        raise DownloadError(url, f"http_{status}", f"HTTP {status}", permanent=True)
    if status != 200:
        raise DownloadError(url, f"http_{status}", f"unexpected HTTP {status}", permanent=True)


def _store(temp: Path, store: ContentStore, key: str, sha: str) -> StoredObject:
    """Move a finished download into the store (or drop it: the same bytes are there already)."""
    target = store.path(key)
    try:
        if target.is_file():
            temp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _StoreError(str(named_os_error(exc, target, "storing"))) from exc
    return StoredObject(key, sha, target.stat().st_size)
