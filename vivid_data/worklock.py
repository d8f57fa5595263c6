"""One build per work directory: an advisory lock that names the process holding it.

``flock`` locks belong to the open file, so the kernel releases them when the holder dies,
however it dies: a killed build never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path

LOCK_NAME = ".vivid-build.lock"


class WorkDirBusyError(RuntimeError):
    """Another process holds the work directory's lock."""


class WorkDirLock:
    """``with WorkDirLock(work_dir):`` holds the lock for the block; raises :class:`WorkDirBusyError`."""

    def __init__(self, work_dir: str | os.PathLike) -> None:
        self.path = Path(work_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise WorkDirBusyError(
                f"{self.path.parent}: another vivid-build is using this work directory "
                f"({holder}); wait for it to finish, or use another work_dir"
            ) from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "command": " ".join(sys.argv)[:300],
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WorkDirLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "holder unknown"
    return (
        f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started')}: {info.get('command', '')}"
    ).strip()
