"""Atomic file writes: a reader never sees a half-written file, a crash never leaves one behind.

Temporary names are unique per process and call (``.<name>.<pid>-<random>.tmp``), so two
writers never share one, and :func:`remove_stale_temporaries` can recognise what a killed run
left. Files and folders get the modes a plain ``open``/``mkdir`` would give under the current
umask (``mkstemp``/``mkdtemp`` would make them private to the owner). OS errors (a full disk,
a read-only folder) are raised again with the file they concern.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

#: what every temporary name of this module (and of the downloader) looks like
TEMP_PATTERN = re.compile(r"^\..+\.\d+-[0-9a-f]{8}\.tmp(\.[A-Za-z0-9]+)?$")


def current_umask() -> int:
    """The process umask, read without changing it (``/proc``), else by the set-and-restore idiom."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    return 0o666 & ~current_umask()


def folder_mode() -> int:
    return 0o777 & ~current_umask()


def temp_name(target: Path, suffix: str = "") -> Path:
    """A sibling of ``target`` that no other process or call uses."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp{suffix}")


def named_os_error(exc: OSError, path: str | os.PathLike, action: str = "writing") -> OSError:
    """The same error (same class and errno) with ``path`` and the action in its message."""
    if str(path) in str(exc):
        message = f"{action}: {exc}"
    else:
        other = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        message = f"{action} {path}: {exc.strerror or exc}{other}"
    args = (exc.errno, message, str(path)) if exc.errno is not None else (message,)
    try:
        return type(exc)(*args)
    except TypeError:  # an OSError subclass with a constructor of its own
        return OSError(*args)


def _create_exclusive(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; rename it over ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    if not any(flag in mode for flag in "wx"):
        raise ValueError(f"atomic_open needs a write mode, got {mode!r}")
    target = Path(path)
    tmp = temp_name(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = _create_exclusive(tmp)
    except OSError as exc:
        raise named_os_error(exc, target) from exc
    try:
        with os.fdopen(fd, mode.replace("x", "w")) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise named_os_error(exc, target) from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically and return the path."""
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path for libraries that write by file name (parquet, PyAV); rename on success."""
    target = Path(path)
    tmp = temp_name(target, target.suffix)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(_create_exclusive(tmp))
    except OSError as exc:
        raise named_os_error(exc, target) from exc
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise named_os_error(exc, target) from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike) -> Iterator[Path]:
    """Build a folder under a temporary sibling name; rename it to ``path`` on success, remove it on failure.

    ``path`` must not exist or be empty, so nothing that was already there is ever replaced.
    """
    target = Path(path)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target}: exists and is not empty; choose a new folder")
    staging = temp_name(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()  # mode 0o777 & ~umask, like any folder
    except OSError as exc:
        raise named_os_error(exc, target) from exc
    try:
        yield staging
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_stale_temporaries(root: str | os.PathLike, pid_alive=None) -> list[Path]:
    """Remove temporary files and folders left under ``root`` by killed runs; return them.

    Only names of this module's pattern are touched, and only those whose process is gone
    (``pid_alive(pid)``; default: no process with that id exists on this machine), so a
    temporary file that a live writer is filling stays. Call it while holding the work
    directory's lock.
    """
    alive = pid_alive or _pid_alive
    removed: list[Path] = []
    base = Path(root)
    if not base.is_dir():
        return removed
    for folder, dirs, files in os.walk(base):
        for name in [*files, *dirs]:
            if not TEMP_PATTERN.match(name):
                continue
            pid = int(name.rsplit(".tmp", 1)[0].rsplit(".", 1)[1].split("-")[0])
            if alive(pid):
                continue
            path = Path(folder) / name
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                dirs.remove(name)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            removed.append(path)
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
