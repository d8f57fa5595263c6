from pathlib import Path

import pytest

from vivid_data.video import MediaError
from vivid_data.video.source import check_video_source


def problem_of(source, name=None) -> str:
    with pytest.raises(MediaError) as info:
        check_video_source(source, name)
    return info.value.problem


def test_missing_empty_and_directory(tmp_path: Path):
    assert problem_of(tmp_path / "nope.mp4") == "missing"
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert problem_of(tmp_path / "empty.mp4") == "empty"
    assert problem_of(tmp_path) == "not_a_video"
    assert problem_of(b"") == "empty"


def test_image_and_html_named_mp4(tmp_path: Path, vivid_samples: Path):
    fake = tmp_path / "clip.mp4"
    fake.write_bytes((vivid_samples / "cloth" / "00057_00.jpg").read_bytes())
    with pytest.raises(MediaError, match=r"clip\.mp4: not a video \(content is a JPEG image\)"):
        check_video_source(fake)
    assert problem_of(b"<!doctype html><title>Not found</title>", name="http://x/v.mp4") == "not_a_video"


def test_accepts_real_video(vivid_samples: Path):
    assert check_video_source(vivid_samples / "videos" / "upper1.mp4") == "mp4"
