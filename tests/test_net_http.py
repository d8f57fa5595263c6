import re

import pytest
from httpfaults import FaultServer

from vivid_data.net.addresses import BlockedAddressError
from vivid_data.net.http import DEFAULT_USER_AGENT, HttpConfig, UrlError, open_url

LOOPBACK = HttpConfig(allow_private_hosts=("127.0.0.0/8",), connect_timeout=2, read_timeout=2)


def test_get_follows_redirects_and_sends_user_agent():
    with FaultServer() as server:
        server.add("/target", b"hello")
        start = server.redirect("/start", "/target", status=301)
        with open_url(start, LOOPBACK) as response:
            assert (response.status, response.read_all(100)) == (200, b"hello")
            assert response.url == server.url("/target") and response.redirects == [start]
        assert server.user_agents[0] == DEFAULT_USER_AGENT and "vivid-toolkit" in DEFAULT_USER_AGENT


def test_loopback_is_blocked_by_default():
    with FaultServer() as server:
        url = server.add("/x", b"x")
        with pytest.raises(BlockedAddressError, match=re.escape("127.0.0.1")):
            open_url(url, HttpConfig())
        assert server.requests["/x"] == 0


@pytest.mark.parametrize("target", ["http://10.0.0.1/secret", "http://169.254.169.254/latest/meta-data/"])
def test_redirect_to_private_network_is_blocked_before_any_request(target: str):
    with FaultServer() as server:
        start = server.redirect("/go", target)
        with pytest.raises(BlockedAddressError, match=target.split("/")[2]):
            open_url(start, LOOPBACK)
        assert server.requests["/go"] == 1


def test_redirect_loop_and_limit():
    with FaultServer() as server:
        server.redirect("/a", "/b")
        server.redirect("/b", "/a")
        with pytest.raises(UrlError, match="redirect loop"):
            open_url(server.url("/a"), LOOPBACK)
        for i in range(8):
            server.redirect(f"/r{i}", f"/r{i + 1}")
        with pytest.raises(UrlError, match="more than 5 redirects"):
            open_url(server.url("/r0"), LOOPBACK)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x", "http:///nohost"])
def test_only_http_and_https(url: str):
    with pytest.raises(UrlError):
        open_url(url, LOOPBACK)
