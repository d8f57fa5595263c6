"""A loopback HTTP server with scripted faults, for tests of everything that downloads."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: optional handler(request, count) taking over the response entirely
    custom: Callable | None = None
    delay_s: float = 0.0


class FaultServer:
    """Serve ``routes`` (path -> Route) on 127.0.0.1; ``requests`` counts every path asked for."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: Counter[str] = Counter()
        self.user_agents: list[str] = []
        self.times: list[tuple[str, float]] = []  # (path, time.monotonic()) of every request
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path
                with server._lock:
                    server.requests[path] += 1
                    server.times.append((path, time.monotonic()))
                    count = server.requests[path]
                    server.user_agents.append(self.headers.get("User-Agent", ""))
                route = server.routes.get(path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                if route.delay_s:
                    time.sleep(route.delay_s)
                if route.custom is not None:
                    route.custom(self, count)
                    return
                self.send_response(route.status)
                headers = {"Content-Length": str(len(route.body)), **route.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(route.body)

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes = b"", status: int = 200, **kwargs) -> str:
        self.routes[path] = Route(status=status, body=body, **kwargs)
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.add(path, status=status, headers={"Location": location})

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def flaky(failures: int, then: bytes, status: int = 500) -> Callable:
    """A handler that answers ``status`` for the first ``failures`` requests, then 200 with ``then``."""

    def handle(request: BaseHTTPRequestHandler, count: int) -> None:
        if count <= failures:
            request.send_response(status)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        request.send_response(200)
        request.send_header("Content-Length", str(len(then)))
        request.end_headers()
        request.wfile.write(then)

    return handle


def truncated(body: bytes, keep: int) -> Callable:
    """Promise ``len(body)`` bytes, send ``keep`` of them, close the connection."""

    def handle(request: BaseHTTPRequestHandler, count: int) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body[:keep])
        request.wfile.flush()
        request.close_connection = True

    return handle


def stalled(head: bytes, stall_s: float) -> Callable:
    """Send headers and the first bytes, then go silent for ``stall_s`` seconds."""

    def handle(request: BaseHTTPRequestHandler, count: int) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(len(head) * 100))
        request.end_headers()
        request.wfile.write(head)
        request.wfile.flush()
        time.sleep(stall_s)
        request.close_connection = True

    return handle


def endless(chunk: bytes, total: int) -> Callable:
    """Stream ``total`` bytes without a Content-Length (chunked is not needed: close delimits)."""

    def handle(request: BaseHTTPRequestHandler, count: int) -> None:
        request.send_response(200)
        request.send_header("Connection", "close")
        request.end_headers()
        sent = 0
        try:
            while sent < total:
                request.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        request.close_connection = True

    return handle


def drip(body: bytes, every_s: float) -> Callable:
    """Promise ``len(body)`` bytes and send them one at a time, ``every_s`` apart (a slow-drip server)."""

    def handle(request: BaseHTTPRequestHandler, count: int) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        try:
            for byte in body:
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
                time.sleep(every_s)
        except (BrokenPipeError, ConnectionResetError):
            pass
        request.close_connection = True

    return handle


def raw_location(location: str) -> Callable:
    """A redirect whose Location header is sent exactly as given (malformed ones included)."""

    def handle(request: BaseHTTPRequestHandler, count: int) -> None:
        request.send_response(302)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle
