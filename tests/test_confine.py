"""Paths from files stay inside their root: '..', absolute paths and symlinks out are refused."""

from pathlib import Path

import pytest

from vivid_data.confine import PathEscapeError, confine, confined, is_plain_relative


def test_confined_follows_symlinks(tmp_path: Path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "videos").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    (root / "videos" / "ok.mp4").write_text("v")
    (root / "videos" / "link.mp4").symlink_to(outside / "secret.txt")
    (root / "videos" / "inner.mp4").symlink_to(root / "videos" / "ok.mp4")
    assert confined(root, "videos", "ok.mp4") == (root / "videos" / "ok.mp4").resolve()
    assert confined(root, "videos", "inner.mp4") == (root / "videos" / "ok.mp4").resolve()
    assert confined(root, "videos", "link.mp4") is None
    assert confined(root, "videos", "../../outside/secret.txt") is None
    assert confined(root, "videos", str(outside / "secret.txt")) is None  # an absolute path replaces the root
    assert confined(root, "videos", "missing.mp4") == (root / "videos" / "missing.mp4").resolve()
    with pytest.raises(PathEscapeError, match=r"video '../x' resolves outside .*; refused"):
        confine(root, "../x", what="video")


@pytest.mark.parametrize("name", ["a", "a/b.tar", "shards/train/train-000000.tar"])
def test_plain_relative_names(name: str):
    assert is_plain_relative(name)


@pytest.mark.parametrize("name", ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a\\b", "a\x00b"])
def test_names_that_are_not_plain(name: str):
    assert not is_plain_relative(name)
