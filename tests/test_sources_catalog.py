import json

import pytest
from httpfaults import FaultServer

from vivid_data.sources.catalog import CatalogSource


def product_page(name: str, category: str, video: str | None, image: str) -> bytes:
    graph = [{"@type": "Product", "name": name, "sku": name, "category": category, "image": image}]
    if video:
        graph.append({"@type": "VideoObject", "contentUrl": video})
    return (
        f'<html><head><script type="application/ld+json">{json.dumps({"@graph": graph})}</script></head>'
        f'<body><h1>{name}</h1><a href="/">home</a></body></html>'
    ).encode()


@pytest.fixture
def shop():
    with FaultServer() as server:
        server.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n")
        server.add(
            "/",
            b'<html><body><a href="/p/1.html">1</a> <a href="/p/2.html">2</a> '
            b'<a href="/p/3.html">3</a> <a href="/private/4.html">4</a> '
            b'<a href="/about.html">about</a> <a href="http://other.invalid/x">elsewhere</a></body></html>',
        )
        server.add("/p/1.html", product_page("p1", "Women > Dresses", "/v/1.mp4", "/g/1.jpg"))
        server.add(
            "/p/2.html",
            b'<html><body><div class="crumb">Tops</div><video><source src="/v/2.mp4"></video>'
            b'<img class="hero" src="/g/2.jpg"></body></html>',
        )
        server.add("/p/3.html", product_page("p3", "Skirts", None, "/g/3.jpg"))
        server.add("/private/4.html", product_page("p4", "Dresses", "/v/4.mp4", "/g/4.jpg"))
        server.add("/about.html", b"<html><body>About us</body></html>")
        yield server


def source(server: FaultServer, **overrides) -> CatalogSource:
    values = dict(
        seeds=[server.url("/")],
        allow_private_hosts=["127.0.0.0/8"],
        min_interval_s=0.0,
        selectors={
            "video": ["video source[src]"],
            "garment": ["img.hero"],
            "category": [{"css": ".crumb", "attr": "text"}],
        },
        category_map={"dress": "dresses", "skirt": "lower_body", "top": "upper_body"},
        license="shop terms",
    )
    values.update(overrides)
    return CatalogSource(**values)


def test_crawl_finds_products_obeys_robots_and_reports_gaps(shop: FaultServer):
    result = source(shop).candidates()
    frame = result.candidates.sort_values("origin").reset_index(drop=True)
    assert list(frame["origin"]) == [shop.url("/p/1.html"), shop.url("/p/2.html")]
    assert list(frame["category"]) == ["dresses", "upper_body"]
    assert list(frame["video_src"]) == [shop.url("/v/1.mp4"), shop.url("/v/2.mp4")]
    assert list(frame["garment_src"]) == [shop.url("/g/1.jpg"), shop.url("/g/2.jpg")]
    assert frame["license"].eq("shop terms").all()
    assert shop.requests["/private/4.html"] == 0
    assert result.notes["robots_disallowed"] == [shop.url("/private/4.html")]
    assert result.notes["incomplete_products"] == [f"{shop.url('/p/3.html')}: no video"]
    assert all("vivid-toolkit" in agent for agent in shop.user_agents)


def test_max_pages_limits_the_crawl(shop: FaultServer):
    result = source(shop, max_pages=2).candidates()
    assert result.notes["pages_fetched"] == 2
    page_requests = sum(n for path, n in shop.requests.items() if path.endswith(".html") or path == "/")
    assert page_requests == 2


def test_needs_seeds():
    with pytest.raises(ValueError, match="seed"):
        CatalogSource(seeds=[])
