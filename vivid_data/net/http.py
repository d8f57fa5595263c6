"""A small HTTP/1.1 client for untrusted URLs: checked addresses, manual redirects, timeouts."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from vivid_data import __version__
from vivid_data.net.addresses import AddressPolicy, BlockedAddressError
from vivid_data.net.urls import UrlError, normalize_url, resolve_redirect

DEFAULT_USER_AGENT = f"vivid-toolkit/{__version__} (research dataset builder; respects robots.txt)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class DeadlineExceeded(TimeoutError):
    """The whole request (headers and body) took longer than its deadline."""


@dataclass
class HttpConfig:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    allow_private_hosts: bool | tuple[str, ...] = False
    extra_headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # config files give lists (or OmegaConf ListConfig); keep a hashable, picklable tuple
        if not isinstance(self.allow_private_hosts, (bool, type(None))):
            value = self.allow_private_hosts
            self.allow_private_hosts = (value,) if isinstance(value, str) else tuple(str(v) for v in value)

    @property
    def policy(self) -> AddressPolicy:
        return AddressPolicy.from_config(self.allow_private_hosts)


class Response:
    """An open response; read the body with :meth:`read` and close it (or use ``with``)."""

    def __init__(
        self,
        url: str,
        connection: http.client.HTTPConnection,
        raw: http.client.HTTPResponse,
        redirects: list[str],
        watchdog: _Watchdog | None = None,
    ) -> None:
        self.url = url
        self.status = raw.status
        self.headers = raw.headers
        self.redirects = redirects
        self._connection = connection
        self._raw = raw
        self._watchdog = watchdog

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("Content-Length")
        return int(value) if value and value.isdigit() else None

    def read(self, amount: int = 1 << 16) -> bytes:
        """Up to ``amount`` bytes from one receive (a slow server cannot hold a call for long); b"" at the end."""
        try:
            data = self._raw.read1(amount)
        except OSError:
            if self._watchdog is not None and self._watchdog.fired:
                raise DeadlineExceeded(f"{self.url}: deadline passed while reading the body") from None
            raise
        if not data and self._watchdog is not None and self._watchdog.fired:
            raise DeadlineExceeded(f"{self.url}: deadline passed while reading the body")
        return data

    def read_all(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            data = self.read(1 << 16)
            if not data:
                return b"".join(chunks)
            size += len(data)
            if size > limit:
                raise UrlError(f"{self.url}: body larger than {limit} bytes")
            chunks.append(data)

    def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._raw.close()
        self._connection.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Watchdog:
    """Shuts a socket down when the deadline passes, so no server can hold a request past it
    (a server that drips one byte a second defeats every per-read timeout)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                self._shutdown()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _connect(url: str, config: HttpConfig, watchdog: _Watchdog | None) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectionError(f"{url}: cannot resolve {host}: {exc}") from exc
    address = config.policy.check(host, [str(info[4][0]) for info in infos])
    connect_timeout = config.connect_timeout
    if watchdog is not None:
        connect_timeout = max(0.001, min(connect_timeout, watchdog.deadline - time.monotonic()))
    sock = socket.create_connection((str(address), port), timeout=connect_timeout)
    if watchdog is not None:
        watchdog.watch(sock)
    sock.settimeout(config.read_timeout)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
        if watchdog is not None:
            watchdog.watch(sock)  # the plain socket object is detached now
        sock.do_handshake()
        connection = http.client.HTTPSConnection(host, port, timeout=config.read_timeout)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=config.read_timeout)
    connection.sock = sock
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return connection, path


def open_url(
    url: str,
    config: HttpConfig | None = None,
    method: str = "GET",
    deadline: float | None = None,
    before_request: Callable[[str], None] | None = None,
) -> Response:
    """GET ``url`` following redirects by hand, checking the address of every hop before connecting.

    The URL and every redirect target are normalised first (:func:`normalize_url`). Raises
    :class:`~vivid_data.net.addresses.BlockedAddressError` or :class:`UrlError` before any request
    is sent to a forbidden place; socket timeouts and resets propagate for the caller's retry.
    ``deadline`` (a ``time.monotonic()`` value) bounds the whole exchange, body reading included
    (:class:`DeadlineExceeded`); ``before_request(url)`` runs before each hop (robots.txt,
    per-host intervals) and may raise to refuse it.
    """
    config = config or HttpConfig()
    current = normalize_url(url)
    visited: list[str] = []
    watchdog = _Watchdog(deadline) if deadline is not None else None
    try:
        while True:
            if current in visited:
                raise UrlError(f"{url}: redirect loop through {current}")
            if len(visited) > config.max_redirects:
                raise UrlError(f"{url}: more than {config.max_redirects} redirects")
            visited.append(current)
            if before_request is not None:
                before_request(current)
            if watchdog is not None and watchdog.fired:
                raise DeadlineExceeded(f"{url}: deadline passed before the request to {current}")
            connection, path = _connect(current, config, watchdog)
            headers = {"User-Agent": config.user_agent, "Accept-Encoding": "identity", **config.extra_headers}
            try:
                connection.request(method, path, headers=headers)
                raw = connection.getresponse()
            except BaseException as exc:
                connection.close()
                if watchdog is not None and watchdog.fired and isinstance(exc, (OSError, http.client.HTTPException)):
                    raise DeadlineExceeded(f"{url}: deadline passed while waiting for {current}") from None
                raise
            if raw.status in REDIRECT_STATUSES and raw.headers.get("Location"):
                location = raw.headers["Location"]
                raw.close()
                connection.close()
                current = resolve_redirect(current, location)
                continue
            return Response(current, connection, raw, visited[:-1], watchdog)
    except BaseException:
        if watchdog is not None:
            watchdog.cancel()
        raise


__all__ = ["BlockedAddressError", "DeadlineExceeded", "HttpConfig", "Response", "UrlError", "normalize_url", "open_url"]
