import itertools
import time
from pathlib import Path

import pytest
from httpfaults import FaultServer, drip, endless, flaky, raw_location, stalled, truncated

from vivid_data.net.download import DownloadConfig, DownloadError, download
from vivid_data.net.http import HttpConfig
from vivid_data.net.polite import Politeness
from vivid_data.store import ContentStore
from vivid_data.video import encode_video

MP4 = None


@pytest.fixture(scope="module")
def mp4(tmp_path_factory) -> bytes:
    import numpy as np

    frames = np.zeros((4, 32, 32, 3), np.uint8)
    frames[:, 8:24, 8:24] = 200
    return encode_video(frames)


def config(**overrides) -> DownloadConfig:
    http = HttpConfig(allow_private_hosts=("127.0.0.0/8",), connect_timeout=2, read_timeout=0.5)
    values = {"http": http, "retries": 2, "backoff_s": 0.01, "max_bytes": 1 << 20, **overrides}
    return DownloadConfig(**values)


def test_download_stores_by_hash_once(tmp_path: Path, mp4: bytes):
    store = ContentStore(tmp_path)
    with FaultServer() as server:
        a = download(server.add("/a.mp4", mp4), store, config(), expect="video")
        b = download(server.add("/b.mp4", mp4), store, config(), expect="video")
    assert a.stored == b.stored and a.kind == "mp4" and store.read_bytes(a.stored.key) == mp4
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_404_is_permanent_and_not_retried(tmp_path: Path):
    with FaultServer() as server:
        with pytest.raises(DownloadError) as info:
            download(server.url("/missing.mp4"), ContentStore(tmp_path), config())
        assert server.requests["/missing.mp4"] == 1
    assert info.value.reason == "http_404" and info.value.permanent


def test_500_then_200_succeeds_after_retry(tmp_path: Path, mp4: bytes):
    with FaultServer() as server:
        url = server.add("/flaky.mp4", custom=flaky(1, mp4))
        result = download(url, ContentStore(tmp_path), config(), expect="video")
        assert result.attempts == 2 and server.requests["/flaky.mp4"] == 2


def test_persistent_500_fails_after_all_attempts(tmp_path: Path):
    with FaultServer() as server:
        url = server.add("/down.mp4", custom=flaky(99, b""))
        with pytest.raises(DownloadError) as info:
            download(url, ContentStore(tmp_path), config(retries=2))
        assert server.requests["/down.mp4"] == 3
    assert info.value.reason == "http_500" and not info.value.permanent


def test_stalled_response_times_out_then_fails(tmp_path: Path, mp4: bytes):
    with FaultServer() as server:
        url = server.add("/stall.mp4", custom=stalled(mp4[:100], stall_s=3))
        started = time.monotonic()
        with pytest.raises(DownloadError) as info:
            download(url, ContentStore(tmp_path), config(retries=1))
        assert time.monotonic() - started < 5
    assert info.value.reason == "timeout" and not info.value.permanent


def test_truncated_body_is_retried_then_fails(tmp_path: Path, mp4: bytes):
    with FaultServer() as server:
        url = server.add("/cut.mp4", custom=truncated(mp4, keep=len(mp4) // 2))
        with pytest.raises(DownloadError) as info:
            download(url, ContentStore(tmp_path), config(retries=1))
        assert server.requests["/cut.mp4"] == 2
    assert info.value.reason == "truncated_body"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # no partial file left


def test_html_served_as_video_is_rejected(tmp_path: Path):
    with FaultServer() as server:
        url = server.add(
            "/v.mp4", b"<!DOCTYPE html><html><body>Sign in</body></html>", headers={"Content-Type": "video/mp4"}
        )
        with pytest.raises(DownloadError) as info:
            download(url, ContentStore(tmp_path), config(), expect="video")
    assert info.value.reason == "not_a_video" and "HTML" in info.value.detail and info.value.permanent


def test_oversized_body_is_refused(tmp_path: Path, mp4: bytes):
    with FaultServer() as server:
        declared = server.add("/big.mp4", mp4 * 10)
        with pytest.raises(DownloadError, match="too_large"):
            download(declared, ContentStore(tmp_path), config(max_bytes=len(mp4)))
        undeclared = server.add("/stream.mp4", custom=endless(mp4, total=len(mp4) * 50))
        with pytest.raises(DownloadError, match="too_large"):
            download(undeclared, ContentStore(tmp_path), config(max_bytes=len(mp4) * 2))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("target", ["http://10.0.0.1/v.mp4", "http://169.254.169.254/latest/meta-data/"])
def test_redirect_to_private_address_is_a_rejection(tmp_path: Path, target: str):
    with FaultServer() as server:
        url = server.redirect("/go.mp4", target)
        with pytest.raises(DownloadError) as info:
            download(url, ContentStore(tmp_path), config())
    assert info.value.reason == "blocked_address" and info.value.permanent


def test_redirect_loop_is_a_rejection(tmp_path: Path):
    with FaultServer() as server:
        server.redirect("/a.mp4", "/b.mp4")
        server.redirect("/b.mp4", "/a.mp4")
        with pytest.raises(DownloadError) as info:
            download(server.url("/a.mp4"), ContentStore(tmp_path), config())
    assert info.value.reason == "bad_url" and "loop" in info.value.detail


def test_slow_drip_ends_at_the_deadline(tmp_path: Path, mp4: bytes):
    """One byte every 0.2 s never trips the 0.5 s read timeout; the overall deadline ends it."""
    with FaultServer() as server:
        url = server.add("/drip.mp4", custom=drip(mp4, every_s=0.2))
        started = time.monotonic()
        with pytest.raises(DownloadError) as info:
            download(url, ContentStore(tmp_path), config(deadline_s=1.5), expect="video")
        took = time.monotonic() - started
    assert info.value.reason == "deadline_exceeded" and not info.value.permanent
    assert took < 3.0 and "1.5s" in info.value.detail
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_non_ascii_and_space_urls_are_encoded_not_retried(tmp_path: Path, mp4: bytes):
    with FaultServer() as server:
        server.add("/robe-%C3%A9t%C3%A9.mp4", mp4)
        result = download(server.url("/robe-été.mp4"), ContentStore(tmp_path), config(), expect="video")
        assert result.attempts == 1
        with pytest.raises(DownloadError) as info:
            download(server.url("/no such file.mp4"), ContentStore(tmp_path), config())
        assert server.requests["/no%20such%20file.mp4"] == 1  # a 404 once, not four network errors
    assert info.value.reason == "http_404"


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/v.mp4", "http://127.0.0.1:port/v.mp4", "http://[::1/v.mp4"])
def test_malformed_urls_are_bad_urls_without_a_request(tmp_path: Path, url: str):
    with pytest.raises(DownloadError) as info:
        download(url, ContentStore(tmp_path), config())
    assert info.value.reason == "bad_url" and info.value.permanent and url in str(info.value)


def test_broken_location_header_is_a_bad_url(tmp_path: Path):
    with FaultServer() as server:
        url = server.add("/moved.mp4", custom=raw_location("http://[broken"))
        with pytest.raises(DownloadError) as info:
            download(url, ContentStore(tmp_path), config())
        assert server.requests["/moved.mp4"] == 1
    assert info.value.reason == "bad_url" and "Location" in info.value.detail


def test_robots_txt_and_the_host_interval_apply_to_media(tmp_path: Path, mp4: bytes):
    with FaultServer() as server:
        server.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n")
        server.add("/private/v.mp4", mp4)
        urls = [server.add(f"/public/{i}.mp4", mp4 + bytes([i])) for i in range(3)]
        polite = Politeness(config().http, min_interval_s=0.3)
        with pytest.raises(DownloadError) as info:
            download(server.url("/private/v.mp4"), ContentStore(tmp_path), config(), politeness=polite)
        for url in urls:
            download(url, ContentStore(tmp_path), config(), expect="video", politeness=polite)
        assert server.requests["/private/v.mp4"] == 0 and server.requests["/robots.txt"] == 1
        starts = [t for path, t in server.times if path.startswith("/public/")]
    assert info.value.reason == "robots_disallowed" and info.value.permanent
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.28


def test_a_crawl_delay_longer_than_the_deadline_fails_at_once(tmp_path: Path, mp4: bytes):
    """Crawl-delay 30 under a 2 s deadline: the second download fails now, naming the delay, instead of
    sleeping 30 s and then timing out."""
    with FaultServer() as server:
        server.add("/robots.txt", b"User-agent: *\nCrawl-delay: 30\n")
        first, second = (server.add(f"/{i}.mp4", mp4 + bytes([i])) for i in range(2))
        polite = Politeness(config().http)
        download(first, ContentStore(tmp_path), config(deadline_s=2), expect="video", politeness=polite)
        started = time.monotonic()
        with pytest.raises(DownloadError) as info:
            download(second, ContentStore(tmp_path), config(deadline_s=2), expect="video", politeness=polite)
        assert time.monotonic() - started < 1.0 and server.requests["/1.mp4"] == 0
    assert info.value.reason == "politeness_past_deadline" and second in str(info.value)
    assert "robots.txt Crawl-delay 30s" in info.value.detail and "ingest.deadline_s=2" in info.value.detail


def test_interval_is_spread_over_parallel_workers():
    polite = Politeness(HttpConfig(), min_interval_s=0.5, obey_robots=False, parallel_workers=4)
    assert polite.interval_s == 2.0  # 4 workers, each every 2 s: one request per 0.5 s per host in all
