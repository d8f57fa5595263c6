"""Download untrusted URLs into the content store: streamed, capped, sniffed, retried, atomic."""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from vivid_data.net.addresses import BlockedAddressError
from vivid_data.net.http import HttpConfig, UrlError, open_url
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


def _stream_to_temp(response, url: str, directory: Path, max_bytes: int, expect: str) -> tuple[Path, str, str, int]:
    """Write the body to a temporary file while hashing; check the size cap and the magic bytes."""
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise DownloadError(url, "too_large", f"Content-Length {declared} > cap {max_bytes}", permanent=True)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".download.", suffix=".tmp", dir=directory)
    digest = hashlib.sha256()
    size, kind = 0, None
    try:
        with os.fdopen(fd, "wb") as handle:
            while True:
                try:
                    chunk = response.read(CHUNK)
                except http.client.IncompleteRead as exc:
                    raise _Retryable("truncated_body", f"connection closed after {size + len(exc.partial)} bytes"
                                     + (f" of {declared}" if declared else "")) from exc
                if not chunk:
                    break
                if kind is None:
                    kind = sniff_bytes(chunk[:64]) or "bin"
                    if (kind == "html") if expect == "file" else (kind not in EXPECTED_KINDS[expect]):
                        what = "an HTML page" if kind == "html" else f"{kind} content"
                        raise DownloadError(url, f"not_a_{expect}", f"server sent {what}", permanent=True)
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadError(url, "too_large", f"body exceeds cap {max_bytes}", permanent=True)
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise DownloadError(url, "empty_body", "0 bytes", permanent=True)
        if declared is not None and size < declared:
            raise _Retryable("truncated_body", f"got {size} of {declared} bytes")
        return Path(name), digest.hexdigest(), kind, size
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def download(url: str, store: ContentStore, config: DownloadConfig, expect: str = "any") -> Downloaded:
    """Fetch ``url`` into ``store`` (identical bytes are stored once) and return what was stored.

    Retries with exponential backoff on timeouts, connection errors, truncated bodies and 5xx;
    never on 4xx, blocked addresses or wrong content.
    """
    last: _Retryable | None = None
    for attempt in range(1, config.retries + 2):
        if attempt > 1:
            delay = min(config.max_backoff_s, config.backoff_s * 2 ** (attempt - 2))
            time.sleep(delay * (1 + 0.1 * random.random()))
        try:
            with open_url(url, config.http) as response:
                if 500 <= response.status < 600:
                    raise _Retryable(f"http_{response.status}", f"server error {response.status}")
                if response.status >= 400:
                    raise DownloadError(url, f"http_{response.status}", f"HTTP {response.status}", permanent=True)
                if response.status != 200:
                    raise DownloadError(url, f"http_{response.status}", f"unexpected HTTP {response.status}",
                                        permanent=True)
                temp, sha, kind, _size = _stream_to_temp(response, url, store.root, config.max_bytes, expect)
                final_url = response.url
            key = key_for(sha, kind)
            target = store.path(key)
            if target.is_file():
                temp.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, target)
            return Downloaded(StoredObject(key, sha, target.stat().st_size), kind, url, final_url, attempt)
        except BlockedAddressError as exc:
            raise DownloadError(url, "blocked_address", str(exc), permanent=True) from exc
        except UrlError as exc:
            raise DownloadError(url, "bad_url", str(exc), permanent=True) from exc
        except _Retryable as exc:
            last = exc
        except (socket.timeout, TimeoutError) as exc:
            last = _Retryable("timeout", f"no data for {config.http.read_timeout}s: {exc}")
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            last = _Retryable("connection_error", f"{type(exc).__name__}: {exc}")
    assert last is not None
    raise DownloadError(url, last.reason, f"{last.detail}; gave up after {config.retries + 1} attempts",
                        permanent=False)
