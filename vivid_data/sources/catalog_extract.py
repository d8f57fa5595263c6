"""Find a product's video, garment image and category in a product page.

Two ways, both with a real HTML parser: schema.org JSON-LD (``Product`` with ``image``,
``VideoObject`` with ``contentUrl``, as many shops embed), and CSS selectors (or regexes)
given in the source config for shops that do not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup


@dataclass
class Selector:
    """A CSS selector and the attribute to read (``text`` for the element's text)."""

    css: str
    attr: str = "src"


@dataclass
class ExtractRules:
    video: list[Selector] = field(default_factory=list)
    garment: list[Selector] = field(default_factory=list)
    category: list[Selector] = field(default_factory=list)
    product_id: list[Selector] = field(default_factory=list)
    video_regex: str | None = None
    garment_regex: str | None = None
    category_map: dict[str, str] = field(default_factory=dict)
    default_category: str | None = None


@dataclass
class PageFindings:
    url: str
    links: list[str]
    video: str | None = None
    garment: str | None = None
    category: str | None = None
    category_text: str | None = None
    product_id: str | None = None
    name: str | None = None


#: JSON-LD nesting we look into; a page's data is a few levels deep, a hostile one 100,000
MAX_DEPTH = 32


def _walk(node: Any) -> Iterator[dict]:
    """Every object in a JSON-LD value, breadth first, never deeper than MAX_DEPTH (no recursion)."""
    queue = [(node, 0)]
    while queue:
        value, depth = queue.pop(0)
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, dict):
            yield value
            queue.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            queue.extend((child, depth + 1) for child in value)


def _types(node: dict) -> set[str]:
    """The node's ``@type`` names; a malformed one (a number, an object) names nothing."""
    kind = node.get("@type", [])
    if isinstance(kind, str):
        return {kind}
    return {k for k in kind if isinstance(k, str)} if isinstance(kind, list) else set()


def _first_url(value: Any, depth: int = 0) -> str | None:
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for item in value:
            found = _first_url(item, depth + 1)
            if found:
                return found
    if isinstance(value, dict):
        return _first_url(value.get("contentUrl") or value.get("url"), depth + 1)
    return None


def json_ld_objects(soup: BeautifulSoup) -> list[Any]:
    objects = []
    for script in soup.find_all("script", attrs={"type": re.compile(r"application/ld\+json", re.I)}):
        try:
            objects.append(json.loads(script.string or script.get_text() or ""))
        except (json.JSONDecodeError, RecursionError, ValueError):
            continue  # one broken (or absurdly deep) block must not hide the others
    return objects


def _select(soup: BeautifulSoup, selectors: list[Selector]) -> str | None:
    for selector in selectors:
        element = soup.select_one(selector.css)
        if element is None:
            continue
        value = element.get_text(" ", strip=True) if selector.attr == "text" else element.get(selector.attr)
        if isinstance(value, list):
            value = " ".join(value)
        if value:
            return str(value).strip()
    return None


def map_category(text: str | None, rules: ExtractRules) -> str | None:
    """Map a shop's category text to ours through ``category_map`` keywords (case-insensitive)."""
    if text:
        lowered = text.lower()
        for keyword, category in rules.category_map.items():
            if keyword.lower() in lowered:
                return category
    return rules.default_category


def extract(html: str, url: str, rules: ExtractRules) -> PageFindings:
    soup = BeautifulSoup(html, "html.parser")
    links = []
    for anchor in soup.find_all("a", href=True):
        target, _ = urldefrag(urljoin(url, str(anchor["href"])))
        if urlsplit(target).scheme in ("http", "https"):
            links.append(target)
    findings = PageFindings(url=url, links=list(dict.fromkeys(links)))
    for node in (n for obj in json_ld_objects(soup) for n in _walk(obj)):
        kinds = _types(node)
        if "VideoObject" in kinds and not findings.video:
            findings.video = _first_url(node.get("contentUrl"))
        if "Product" in kinds:
            findings.garment = findings.garment or _first_url(node.get("image"))
            findings.category_text = findings.category_text or _text(node.get("category"))
            findings.product_id = findings.product_id or _text(node.get("sku") or node.get("productID"))
            findings.name = findings.name or _text(node.get("name"))
    findings.video = _select(soup, rules.video) or findings.video
    findings.garment = _select(soup, rules.garment) or findings.garment
    findings.category_text = _select(soup, rules.category) or findings.category_text
    findings.product_id = _select(soup, rules.product_id) or findings.product_id
    if not findings.video and rules.video_regex:
        match = re.search(rules.video_regex, html)
        findings.video = match.group(1) if match and match.groups() else (match.group(0) if match else None)
    if not findings.garment and rules.garment_regex:
        match = re.search(rules.garment_regex, html)
        findings.garment = match.group(1) if match and match.groups() else (match.group(0) if match else None)
    findings.video = urljoin(url, findings.video) if findings.video else None
    findings.garment = urljoin(url, findings.garment) if findings.garment else None
    findings.category = map_category(findings.category_text or findings.name, rules)
    return findings


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _text(value.get("name"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return None
