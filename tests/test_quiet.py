"""Quiet by default: native stderr dropped, Python's stderr kept, in the process and its children."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vivid_data.quiet import QUIET_ENV, VERBOSE_ENV, worker_env

PROGRAM = textwrap.dedent(
    """
    import multiprocessing, os, sys
    from vivid_data import quiet

    def child():
        os.write(2, b"NATIVE-CHILD\\n")

    if __name__ == "__main__":
        quiet.configure(verbose=sys.argv[1] == "verbose")
        os.write(2, b"NATIVE-MAIN\\n")          # what C++ code does
        print("PYTHON-MAIN", file=sys.stderr)   # progress bars, warnings, our errors
        process = multiprocessing.get_context("spawn").Process(target=child)
        process.start(); process.join()
        assert process.exitcode == 0, process.exitcode
        print(os.environ["GLOG_minloglevel"] if "GLOG_minloglevel" in os.environ else "unset")
    """
)


def run(mode: str, folder: Path) -> subprocess.CompletedProcess:
    script = folder / "program.py"  # a file: spawned children import the main module from it
    script.write_text(PROGRAM)
    env = {k: v for k, v in os.environ.items() if k not in QUIET_ENV and k != VERBOSE_ENV}
    return subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True, env=env, timeout=120)


def test_quiet_drops_native_stderr_keeps_python_stderr_and_reaches_children(tmp_path: Path):
    result = run("quiet", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "PYTHON-MAIN" in result.stderr
    assert "NATIVE-MAIN" not in result.stderr and "NATIVE-CHILD" not in result.stderr
    assert result.stdout.strip() == "2"  # the environment the libraries read, inherited by workers


def test_verbose_leaves_everything_as_it_is(tmp_path: Path):
    result = run("verbose", tmp_path)
    assert result.returncode == 0, result.stderr
    for text in ("PYTHON-MAIN", "NATIVE-MAIN", "NATIVE-CHILD"):
        assert text in result.stderr
    assert result.stdout.strip() == "unset"


def test_worker_env_carries_the_choice(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(VERBOSE_ENV, "0")
    monkeypatch.setenv("GLOG_minloglevel", "2")
    env = worker_env()
    assert env[VERBOSE_ENV] == "0" and env["GLOG_minloglevel"] == "2"
