from pathlib import Path

import numpy as np
import pytest
from httpfaults import FaultServer, drip, flaky, raw_location
from mediafaults import arrow_frames, png_claiming, rotated_mp4

from vivid_data.candidates import candidates_frame
from vivid_data.executors.local import LocalExecutor
from vivid_data.stages.ingest import IngestStage
from vivid_data.stages.runner import run_stage
from vivid_data.store import ContentStore
from vivid_data.video import decode_video, encode_image, encode_video


@pytest.fixture(scope="module")
def media():
    frames = np.zeros((6, 64, 48, 3), np.uint8)
    frames[:, 10:50, 10:40] = 180
    garment = np.full((64, 48, 3), 255, np.uint8)
    garment[10:50, 10:40] = 60
    video = encode_video(frames)
    return {"video": video, "garment": encode_image(garment), "corrupt": video[: len(video) // 3], "frames": frames}


def run(candidates, work: Path, **options):
    options = {
        "allow_private_hosts": ("127.0.0.1/32",),
        "retries": 1,
        "backoff_s": 0.01,
        "read_timeout_s": 2,
        "min_interval_s": 0.0,
        **options,
    }
    stage = IngestStage(work_dir=str(work), **options)
    return run_stage(stage, candidates_frame(candidates), work, LocalExecutor(1), progress=False)


def test_faults_become_statuses(tmp_path: Path, media):
    with FaultServer() as server:
        garment = server.add("/g.jpg", media["garment"])
        rows = {
            "good": server.add("/good.mp4", media["video"]),
            "missing": server.url("/missing.mp4"),
            "flaky": server.add("/flaky.mp4", custom=flaky(1, media["video"])),
            "html": server.add("/page.mp4", b"<html><body>login</body></html>"),
            "corrupt": server.add("/corrupt.mp4", media["corrupt"]),
            "private": server.redirect("/private.mp4", "http://10.0.0.1/v.mp4"),
            "down": server.add("/down.mp4", custom=flaky(99, b"")),
        }
        candidates = [
            {"category": "upper_body", "video_src": url, "garment_src": garment, "origin": name}
            for name, url in rows.items()
        ]
        frame = run(candidates, tmp_path).frame.set_index("origin")
    # the good and the flaky URL carry the same bytes: one sample, the duplicate is noted
    assert "flaky" not in frame.index
    expected = {
        "good": ("ok", None),
        "missing": ("rejected", "video_http_404"),
        "html": ("rejected", "video_not_a_video"),
        "corrupt": ("rejected", "video_truncated"),
        "private": ("rejected", "video_blocked_address"),
        "down": ("failed", "video_http_500"),
    }
    for name, (status, reason) in expected.items():
        assert (frame.loc[name, "status"], frame.loc[name, "reason"] if status != "ok" else None) == (status, reason), (
            name
        )
    good = frame.loc["good"]
    assert (good["num_frames"], good["width"], good["height"]) == (6, 48, 64)
    assert len(good["sample_id"]) == 24 and frame.loc["missing", "sample_id"].startswith("u")


def test_duplicates_are_noted(tmp_path: Path, media):
    with FaultServer() as server:
        garment = server.add("/g.jpg", media["garment"])
        candidates = [
            {
                "category": "dresses",
                "video_src": server.add(f"/{n}.mp4", media["video"]),
                "garment_src": garment,
                "origin": n,
            }
            for n in ("first", "second")
        ]
        report = run(candidates, tmp_path)
    assert list(report.frame["origin"]) == ["first"]
    assert report.stats["duplicates"] == ["second: same video and garment bytes as first"]
    assert len(list((tmp_path / "store").rglob("*.mp4"))) == 1


def test_local_files_only_for_trusted_rows(tmp_path: Path, media):
    video = tmp_path / "v.mp4"
    video.write_bytes(media["video"])
    garment = tmp_path / "g.jpg"
    garment.write_bytes(media["garment"])
    untrusted = [{"category": "dresses", "video_src": video.as_uri(), "garment_src": garment.as_uri(), "origin": "x"}]
    frame = run(untrusted, tmp_path / "a").frame
    assert (frame.loc[0, "status"], frame.loc[0, "reason"]) == ("rejected", "video_bad_url")
    trusted = [{**untrusted[0], "local_files": True}]
    assert run(trusted, tmp_path / "b").frame.loc[0, "status"] == "ok"


def test_config_hash_ignores_work_dir(tmp_path: Path):
    assert IngestStage(work_dir="a").config() == IngestStage(work_dir="b").config()


def test_a_realistic_fault_list_ends_with_every_row_accounted_for(tmp_path: Path, media):
    """One bad URL, file or server never stops the others; each row says which URL and what was wrong."""
    upright = arrow_frames(count=6)
    with FaultServer() as server:
        server.add("/robots.txt", b"User-agent: *\nDisallow: /members/\n")
        garment = server.add("/g.jpg", media["garment"])
        base = server.base
        rows = {
            "good": (server.add("/good.mp4", media["video"]), garment),
            "accents": (base + "/robe-été.mp4", garment),
            "space": (base + "/summer dress.mp4", garment),
            "bad_port": (base.replace(base.rsplit(":", 1)[1], "99999") + "/v.mp4", garment),
            "broken_location": (server.add("/moved.mp4", custom=raw_location("http://[broken")), garment),
            "huge_png": (
                server.add("/v2.mp4", encode_video(np.flip(media["frames"], 2))),
                server.add("/huge.png", png_claiming(20000, 20000)),
            ),
            "metadata": ("http://[::ffff:169.254.169.254]/latest/meta-data/", garment),
            "robots": (server.add("/members/v.mp4", media["video"]), garment),
            "too_many_pixels": (server.add("/4k.mp4", encode_video(np.zeros((2, 64, 128, 3), np.uint8))), garment),
            "too_long": (server.add("/long.mp4", encode_video(np.zeros((30, 16, 16, 3), np.uint8))), garment),
            "rotated": (server.add("/phone.mp4", rotated_mp4(upright, 90)), garment),
            "drip": (server.add("/drip.mp4", custom=drip(media["video"], 0.3)), garment),
            "server_error": (server.add("/down.mp4", custom=flaky(99, b"")), garment),
        }
        server.add("/robe-%C3%A9t%C3%A9.mp4", encode_video(np.flip(media["frames"], 1)))
        server.add("/summer%20dress.mp4", encode_video(media["frames"][:5]))
        candidates = [
            {"category": "upper_body", "video_src": v, "garment_src": g, "origin": name}
            for name, (v, g) in rows.items()
        ]
        report = run(
            candidates, tmp_path, allow_private_hosts=True, deadline_s=1.5, max_frame_pixels=64 * 96, max_frames=20
        )
        assert server.requests["/members/v.mp4"] == 0
    frame = report.frame.set_index("origin")
    expected = {
        "good": ("ok", None),
        "accents": ("ok", None),
        "space": ("ok", None),
        "rotated": ("ok", None),
        "bad_port": ("rejected", "video_bad_url"),
        "broken_location": ("rejected", "video_bad_url"),
        "huge_png": ("rejected", "garment_too_many_pixels"),
        "metadata": ("rejected", "video_blocked_address"),
        "robots": ("rejected", "video_robots_disallowed"),
        "too_many_pixels": ("rejected", "video_too_many_pixels"),
        "too_long": ("rejected", "video_too_long"),
        "drip": ("failed", "video_deadline_exceeded"),
        "server_error": ("failed", "video_http_500"),
    }
    got = {
        name: (
            frame.loc[name, "status"],
            frame.loc[name, "reason"] if isinstance(frame.loc[name, "reason"], str) else None,
        )
        for name in expected
    }
    assert got == expected
    for name, (video, garment_url) in rows.items():
        if expected[name][0] != "ok":
            detail = frame.loc[name, "detail"]
            assert video.split("/")[-1].split("?")[0][:8] in detail or garment_url in detail, (name, detail)
    assert frame["sample_id"].is_unique and frame["sample_id"].str.match(r"^[A-Za-z0-9_-]+$").all()
    assert report.stats["counts"] == {"ok": 4, "rejected": 7, "failed": 2}
    rotated = frame.loc["rotated"]
    assert rotated["video_rotation"] == 90 and (rotated["height"], rotated["width"]) == upright.shape[1:3]
    stored = decode_video(ContentStore(tmp_path / "store").path(rotated["video"]))
    assert np.abs(stored.astype(int) - upright).mean() < 4  # kept upright, not sideways


def test_caps_are_checked_before_decoding(tmp_path: Path, media):
    stage = IngestStage(work_dir=str(tmp_path), max_frame_pixels=100)
    assert stage.config()["max_frame_pixels"] == 100 and "parallel_workers" not in stage.config()
