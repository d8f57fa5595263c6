import json

from vivid_data.sources.catalog_extract import ExtractRules, Selector, extract, map_category

RULES = ExtractRules(category_map={"dress": "dresses", "shirt": "upper_body", "short": "lower_body"})


def page(*blocks: str, body: str = "") -> str:
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<html><head>{scripts}</head><body>{body}</body></html>"


def test_json_ld_graph_with_image_object_and_video():
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Product",
                "name": "Linen shirt",
                "sku": "A-1",
                "image": [{"@type": "ImageObject", "contentUrl": "/img/a1.jpg"}, "/img/a1b.jpg"],
                "subjectOf": {"@type": "VideoObject", "contentUrl": "https://cdn.example/v/a1.mp4"},
            },
        ],
    }
    found = extract(page("{not json", json.dumps(data)), "https://shop.example/p/a1", RULES)
    assert found.video == "https://cdn.example/v/a1.mp4"
    assert found.garment == "https://shop.example/img/a1.jpg"
    assert (found.product_id, found.category) == ("A-1", "upper_body")


def test_css_selectors_win_and_regex_fallback():
    rules = ExtractRules(
        video=[Selector("video.main source", "src")],
        garment=[Selector("img#hero", "data-src")],
        category=[Selector(".crumbs", "text")],
        category_map={"dress": "dresses"},
    )
    html = page(
        body='<div class="crumbs">Women / Dresses</div><video class="main"><source src="v.mp4"></video>'
        '<img id="hero" data-src="/g.jpg"><a href="/p/2#reviews">next</a><a href="mailto:x@y">mail</a>'
    )
    found = extract(html, "https://shop.example/p/1", rules)
    assert (found.video, found.garment, found.category) == (
        "https://shop.example/p/v.mp4",
        "https://shop.example/g.jpg",
        "dresses",
    )
    assert found.links == ["https://shop.example/p/2"]
    regex_rules = ExtractRules(video_regex=r'"videoUrl":"([^"]+)"', default_category="upper_body")
    found = extract(
        '<script>var x = {"videoUrl":"https://cdn.example/x.mp4"}</script>', "https://s.example/", regex_rules
    )
    assert found.video == "https://cdn.example/x.mp4" and found.category == "upper_body"


def test_category_map_order_and_default():
    assert map_category("Short sleeve shirt", RULES) == "upper_body"
    assert map_category("Denim shorts", RULES) == "lower_body"
    assert map_category("Hats", RULES) is None


def test_a_malformed_block_does_not_hide_the_product_beside_it():
    """A 100,000-deep array (json's recursion limit) and '@type': 5 next to a valid Product."""
    deep = "[" * 100_000 + "]" * 100_000
    odd = json.dumps({"@type": 5, "image": {"url": {"url": "x"}}})
    product = json.dumps(
        {
            "@type": "Product",
            "name": "Wrap dress",
            "sku": "D-9",
            "image": "/d9.jpg",
            "subjectOf": {"@type": ["VideoObject", 7], "contentUrl": "/d9.mp4"},
        }
    )
    found = extract(page(deep, odd, product), "https://shop.example/p/d9", RULES)
    assert (found.video, found.garment) == ("https://shop.example/d9.mp4", "https://shop.example/d9.jpg")
    assert (found.product_id, found.category) == ("D-9", "dresses")
