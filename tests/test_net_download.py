import time
from pathlib import Path

import pytest

from httpfaults import FaultServer, endless, flaky, stalled, truncated
from vivid_data.net.download import DownloadConfig, DownloadError, download
from vivid_data.net.http import HttpConfig
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
        url = server.add("/v.mp4", b"<!DOCTYPE html><html><body>Sign in</body></html>",
                         headers={"Content-Type": "video/mp4"})
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
