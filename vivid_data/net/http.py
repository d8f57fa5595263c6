"""A small HTTP/1.1 client for untrusted URLs: checked addresses, manual redirects, timeouts."""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from vivid_data import __version__
from vivid_data.net.addresses import AddressPolicy, BlockedAddressError

DEFAULT_USER_AGENT = f"vivid-toolkit/{__version__} (research dataset builder; respects robots.txt)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class UrlError(ValueError):
    """A URL that is refused before any request: bad scheme, no host, too many redirects, a loop."""


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

    def __init__(self, url: str, connection: http.client.HTTPConnection, raw: http.client.HTTPResponse,
                 redirects: list[str]) -> None:
        self.url = url
        self.status = raw.status
        self.headers = raw.headers
        self.redirects = redirects
        self._connection = connection
        self._raw = raw

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("Content-Length")
        return int(value) if value and value.isdigit() else None

    def read(self, amount: int = 1 << 16) -> bytes:
        return self._raw.read(amount)

    def read_all(self, limit: int) -> bytes:
        data = self._raw.read(limit + 1)
        if len(data) > limit:
            raise UrlError(f"{self.url}: body larger than {limit} bytes")
        return data

    def close(self) -> None:
        self._raw.close()
        self._connection.close()

    def __enter__(self) -> "Response":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _connect(url: str, config: HttpConfig) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UrlError(f"{url}: only http and https URLs are allowed")
    if not parts.hostname:
        raise UrlError(f"{url}: no host")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectionError(f"{url}: cannot resolve {host}: {exc}") from exc
    address = config.policy.check(host, [info[4][0] for info in infos])
    sock = socket.create_connection((str(address), port), timeout=config.connect_timeout)
    sock.settimeout(config.read_timeout)
    if parts.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        connection = http.client.HTTPSConnection(host, port, timeout=config.read_timeout)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=config.read_timeout)
    connection.sock = sock
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return connection, path


def open_url(url: str, config: HttpConfig | None = None, method: str = "GET") -> Response:
    """GET ``url`` following redirects by hand, checking the address of every hop before connecting.

    Raises :class:`~vivid_data.net.addresses.BlockedAddressError` or :class:`UrlError` before any
    request is sent to a forbidden place; socket timeouts and resets propagate for the caller's retry.
    """
    config = config or HttpConfig()
    visited: list[str] = []
    current = url
    while True:
        if current in visited:
            raise UrlError(f"{url}: redirect loop through {current}")
        if len(visited) > config.max_redirects:
            raise UrlError(f"{url}: more than {config.max_redirects} redirects")
        visited.append(current)
        connection, path = _connect(current, config)
        headers = {"User-Agent": config.user_agent, "Accept-Encoding": "identity", **config.extra_headers}
        try:
            connection.request(method, path, headers=headers)
            raw = connection.getresponse()
        except BaseException:
            connection.close()
            raise
        if raw.status in REDIRECT_STATUSES and raw.headers.get("Location"):
            location = urljoin(current, raw.headers["Location"])
            raw.close()
            connection.close()
            current = location
            continue
        return Response(current, connection, raw, visited[:-1])


__all__ = ["BlockedAddressError", "HttpConfig", "Response", "UrlError", "open_url"]
