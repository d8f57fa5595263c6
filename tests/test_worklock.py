import subprocess
import sys
import time
from pathlib import Path

import pytest

from vivid_data.worklock import WorkDirBusyError, WorkDirLock


def test_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom vivid_data.worklock import WorkDirLock\n"
            f"with WorkDirLock({str(tmp_path)!r}):\n    print('held', flush=True)\n    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(
            WorkDirBusyError, match=rf"another vivid-build is using this work directory \(pid {holder.pid} on"
        ):
            WorkDirLock(tmp_path).acquire()
    finally:
        holder.kill()
        holder.wait()
    # a killed holder leaves no stale lock: the kernel released it
    deadline = time.monotonic() + 5
    while True:
        try:
            with WorkDirLock(tmp_path):
                break
        except WorkDirBusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_lock_is_reentrant_after_release(tmp_path: Path):
    with WorkDirLock(tmp_path):
        pass
    with WorkDirLock(tmp_path):
        assert (tmp_path / ".vivid-build.lock").is_file()
