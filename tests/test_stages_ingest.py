from pathlib import Path

import numpy as np
import pytest

from httpfaults import FaultServer, flaky
from vivid_data.candidates import candidates_frame
from vivid_data.executors.local import LocalExecutor
from vivid_data.stages.ingest import IngestStage
from vivid_data.stages.runner import run_stage
from vivid_data.video import encode_image, encode_video


@pytest.fixture(scope="module")
def media():
    frames = np.zeros((6, 64, 48, 3), np.uint8)
    frames[:, 10:50, 10:40] = 180
    garment = np.full((64, 48, 3), 255, np.uint8)
    garment[10:50, 10:40] = 60
    video = encode_video(frames)
    return {"video": video, "garment": encode_image(garment), "corrupt": video[: len(video) // 3]}


def run(candidates, work: Path, **options):
    stage = IngestStage(work_dir=str(work), allow_private_hosts=("127.0.0.1/32",), retries=1, backoff_s=0.01,
                        read_timeout_s=2, **options)
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
        candidates = [{"category": "upper_body", "video_src": url, "garment_src": garment, "origin": name}
                      for name, url in rows.items()]
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
        assert (frame.loc[name, "status"], frame.loc[name, "reason"] if status != "ok" else None) == (status, reason), name
    good = frame.loc["good"]
    assert (good["num_frames"], good["width"], good["height"]) == (6, 48, 64)
    assert len(good["sample_id"]) == 24 and frame.loc["missing", "sample_id"].startswith("u")


def test_duplicates_are_noted(tmp_path: Path, media):
    with FaultServer() as server:
        garment = server.add("/g.jpg", media["garment"])
        candidates = [{"category": "dresses", "video_src": server.add(f"/{n}.mp4", media["video"]),
                       "garment_src": garment, "origin": n} for n in ("first", "second")]
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
