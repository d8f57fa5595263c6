"""Validate and normalise untrusted URLs before any request: one bad URL is a ``bad_url``, never a crash.

Scraped URLs carry non-ASCII paths (``/robe-été.mp4``), international host names, spaces,
stray ``%`` signs and malformed ports. They are normalised the way browsers do (WHATWG URL
rules): surrounding whitespace removed, the host IDNA-encoded and lower-cased, the path and
query percent-encoded as UTF-8, the fragment dropped, credentials dropped (never sent).
Whatever cannot be normalised raises :class:`UrlError` naming the URL and the fault.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

#: characters kept as they are in a path or query (RFC 3986 unreserved, sub-delims, ':' '@' '/' '?' and '%')
_SAFE = "/?:@!$&'()*+,;=-._~%"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HOST_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
SCHEMES = ("http", "https")


class UrlError(ValueError):
    """A URL that is refused before any request: bad scheme, host or port, too many redirects, a loop."""


def _host(url: str, host: str | None) -> str:
    if not host:
        raise UrlError(f"{url}: no host")
    if _CONTROL.search(host) or " " in host:
        raise UrlError(f"{url}: space or control character in the host")
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise UrlError(f"{url}: host {host!r} is not a valid international domain name ({exc})") from None
    labels = ascii_host.split(".")
    if not ascii_host or not all(_HOST_LABEL.match(label) for label in labels):
        raise UrlError(f"{url}: host {host!r} is not a valid domain name")
    return ascii_host


def _encode(part: str) -> str:
    return quote(_STRAY_PERCENT.sub("%25", part), safe=_SAFE, encoding="utf-8", errors="strict")


def normalize_url(url: object) -> str:
    """The URL as it will be requested, or :class:`UrlError`."""
    if not isinstance(url, str):
        raise UrlError(f"{url!r}: not a URL string")
    text = url.strip(" \t\r\n\x0b\x0c")
    if not text:
        raise UrlError("empty URL")
    if _CONTROL.search(text):
        raise UrlError(f"{text!r}: control character in the URL")
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:  # bad IPv6 brackets, a port that is not a number or out of range
        raise UrlError(f"{text}: malformed URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UrlError(f"{text}: only http and https URLs are allowed (got {parts.scheme or 'no'} scheme)")
    if port == 0:
        raise UrlError(f"{text}: port 0")
    host = _host(text, host)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != (443 if scheme == "https" else 80):
        netloc += f":{port}"
    try:
        path, query = _encode(parts.path or "/"), _encode(parts.query)
    except UnicodeEncodeError as exc:  # lone surrogates
        raise UrlError(f"{text!r}: cannot be encoded as UTF-8 ({exc.reason})") from None
    return urlunsplit((scheme, netloc, path, query, ""))


def resolve_redirect(current: str, location: str) -> str:
    """The absolute, normalised target of a ``Location`` header, or :class:`UrlError` naming both."""
    try:
        target = urljoin(current, location.strip())
    except ValueError as exc:
        raise UrlError(f"{current}: redirect to a malformed Location {location!r} ({exc})") from None
    try:
        return normalize_url(target)
    except UrlError as exc:
        raise UrlError(f"{current}: redirect to a bad Location {location!r}: {exc}") from None
