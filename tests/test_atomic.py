import os
import stat
import subprocess
import sys
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
    with pytest.raises(RuntimeError), atomic_open(target, "w") as handle:
        handle.write("new, half written")
        raise RuntimeError("crash while writing")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_path_renames_only_on_success(tmp_path: Path):
    target = tmp_path / "table.parquet"
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise ValueError("boom")
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("done")
    assert target.read_text() == "done"


def test_read_mode_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="write mode"), atomic_open(tmp_path / "x", "rb"):
        pass


def test_atomic_directory_all_or_nothing(tmp_path: Path):
    from vivid_data.atomic import atomic_directory

    target = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_directory(target) as staging:
        (staging / "half.txt").write_text("x")
        raise RuntimeError("failed halfway")
    assert list(tmp_path.iterdir()) == []
    with atomic_directory(target) as staging:
        (staging / "done.txt").write_text("x")
    assert (target / "done.txt").read_text() == "x" and len(list(tmp_path.iterdir())) == 1
    with pytest.raises(FileExistsError, match="not empty"), atomic_directory(target):
        pass


def test_outputs_honour_the_umask(tmp_path: Path):
    """mkstemp/mkdtemp would make files 0600 and folders 0700: unreadable for a training job of another user."""
    from vivid_data.atomic import atomic_directory

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a" / "index.json", "{}")
        with atomic_path(tmp_path / "m.parquet") as tmp:
            tmp.write_text("x")
        with atomic_directory(tmp_path / "export") as staging:
            (staging / "f.txt").write_text("x")
        os.umask(0o027)
        atomic_write_text(tmp_path / "group.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "index.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "m.parquet").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "export").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "group.json").stat().st_mode) == 0o640


def test_temporary_names_are_unique_and_stale_ones_are_removed(tmp_path: Path):
    from vivid_data.atomic import TEMP_PATTERN, remove_stale_temporaries, temp_name

    target = tmp_path / "shard-000000.tar"
    names = {temp_name(target) for _ in range(100)}
    assert len(names) == 100 and all(TEMP_PATTERN.match(n.name) for n in names)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / "store" / "ab" / f".download.{dead_pid}-0123abcd.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a video")
    live = tmp_path / f".x.tar.{os.getpid()}-89abcdef.tmp"
    live.write_bytes(b"being written")
    keep = tmp_path / ".hidden_but_ours.json"
    keep.write_text("{}")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and keep.exists()


def test_a_full_disk_names_the_file_and_leaves_no_temporary(tmp_path: Path):
    """Writing past the file-size limit fails like a full disk (EFBIG instead of ENOSPC), in a child process."""
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
        "from vivid_data.atomic import atomic_write_bytes\n"
        "try:\n"
        f"    atomic_write_bytes({str(tmp_path / 'stats.json')!r}, b'x' * 100000)\n"
        "except OSError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert f"writing {tmp_path / 'stats.json'}" in result.stdout and "File too large" in result.stdout
    assert list(tmp_path.iterdir()) == []
