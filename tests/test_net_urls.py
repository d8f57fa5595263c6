import pytest

from vivid_data.net.urls import UrlError, normalize_url, resolve_redirect


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://shop.example/robe-été.mp4", "https://shop.example/robe-%C3%A9t%C3%A9.mp4"),
        ("  http://Shop.Example:80/a b.mp4?x=1 y#frag ", "http://shop.example/a%20b.mp4?x=1%20y"),
        ("http://bücher.example/x.jpg", "http://xn--bcher-kva.example/x.jpg"),
        ("http://shop.example/100%pure.mp4", "http://shop.example/100%25pure.mp4"),
        ("http://shop.example/already%20encoded.mp4", "http://shop.example/already%20encoded.mp4"),
        ("http://user:secret@shop.example:8080/v.mp4", "http://shop.example:8080/v.mp4"),
        ("http://[::1]:8000/v.mp4", "http://[::1]:8000/v.mp4"),
        ("https://shop.example", "https://shop.example/"),
    ],
)
def test_normalised_like_a_browser(url: str, expected: str):
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url, fault",
    [
        ("http://shop.example:99999/v.mp4", "malformed URL"),
        ("http://shop.example:port/v.mp4", "malformed URL"),
        ("http://[::1/v.mp4", "malformed URL"),
        ("ftp://shop.example/v.mp4", "only http and https"),
        ("shop.example/v.mp4", "only http and https"),
        ("http:///v.mp4", "no host"),
        ("http://shop..example/v.mp4", "not a valid (international )?domain name"),
        ("http://sh op.example/v.mp4", "space or control character"),
        ("http://shop.example/a\nb.mp4", "control character"),
        ("", "empty URL"),
    ],
)
def test_bad_urls_are_named_with_their_fault(url: str, fault: str):
    with pytest.raises(UrlError, match=fault):
        normalize_url(url)


def test_non_string_is_a_url_error():
    with pytest.raises(UrlError, match="not a URL string"):
        normalize_url(None)


def test_redirect_targets_are_resolved_and_checked():
    assert resolve_redirect("http://a.example/x/y.mp4", "../z é.mp4") == "http://a.example/z%20%C3%A9.mp4"
    with pytest.raises(UrlError, match=r"redirect to a (malformed|bad) Location 'http://\[oops/'"):
        resolve_redirect("http://a.example/v.mp4", "http://[oops/")
    with pytest.raises(UrlError, match="only http and https"):
        resolve_redirect("http://a.example/v.mp4", "javascript:alert(1)")
