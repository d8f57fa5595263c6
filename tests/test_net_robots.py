from httpfaults import FaultServer

from vivid_data.net.http import HttpConfig
from vivid_data.net.robots import RobotsCache

LOOPBACK = HttpConfig(allow_private_hosts=("127.0.0.0/8",), connect_timeout=2, read_timeout=2)


def test_disallow_and_crawl_delay_are_obeyed():
    with FaultServer() as server:
        server.add("/robots.txt", b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n")
        robots = RobotsCache(LOOPBACK)
        assert robots.allowed(server.url("/products/1"))
        assert not robots.allowed(server.url("/private/2"))
        assert robots.crawl_delay(server.url("/")) == 2.0
        assert server.requests["/robots.txt"] == 1  # cached per origin


def test_missing_robots_allows_and_server_error_disallows():
    with FaultServer() as server:
        assert RobotsCache(LOOPBACK).allowed(server.url("/any"))
        server.add("/robots.txt", status=503)
        assert not RobotsCache(LOOPBACK).allowed(server.url("/any"))
