from pathlib import Path

import pytest

from vivid_data.atomic import atomic_open, atomic_path, atomic_write_bytes, atomic_write_text


def test_write_bytes_and_text_replace_content(tmp_path: Path):
    target = tmp_path / "sub" / "file.bin"
    atomic_write_bytes(target, b"one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert list(target.parent.iterdir()) == [target]


def test_failure_keeps_old_content_and_leaves_no_temp(tmp_path: Path):
    target = tmp_path / "file.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(target, "w") as handle:
            handle.write("new, half written")
            raise RuntimeError("crash while writing")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_path_renames_only_on_success(tmp_path: Path):
    target = tmp_path / "table.parquet"
    with pytest.raises(ValueError):
        with atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise ValueError("boom")
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("done")
    assert target.read_text() == "done"


def test_read_mode_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="write mode"):
        with atomic_open(tmp_path / "x", "rb"):
            pass


def test_atomic_directory_all_or_nothing(tmp_path: Path):
    from vivid_data.atomic import atomic_directory

    target = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as staging:
            (staging / "half.txt").write_text("x")
            raise RuntimeError("failed halfway")
    assert list(tmp_path.iterdir()) == []
    with atomic_directory(target) as staging:
        (staging / "done.txt").write_text("x")
    assert (target / "done.txt").read_text() == "x" and len(list(tmp_path.iterdir())) == 1
    with pytest.raises(FileExistsError, match="not empty"):
        with atomic_directory(target):
            pass
