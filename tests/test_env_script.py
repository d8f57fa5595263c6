"""``scripts/env.sh``: one environment per checkout over shared packages, created once under a lock."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def clone(target: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True, timeout=300)
    return target


def env_sh(checkout: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHON": getattr(sys, "_base_executable", sys.executable)}
    return subprocess.Popen(
        ["bash", str(checkout / "scripts" / "env.sh")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_clones_run_their_own_code_and_two_first_runs_build_once(tmp_path: Path):
    other = clone(tmp_path / "other")
    (other / "vivid_data" / "__init__.py").write_text(
        (other / "vivid_data" / "__init__.py").read_text() + '\nWHICH_CHECKOUT = "other"\n'
    )
    runs = [env_sh(other), env_sh(other)]  # two first runs at once
    outputs = [run.communicate(timeout=900) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert {out.strip().splitlines()[-1] for out, _ in outputs} == {str(other / ".venv")}
    assert sum("installing the checkout" in err for _, err in outputs) == 1  # the second waited, then reused
    code = "import vivid_data; print(vivid_data.__file__, getattr(vivid_data, 'WHICH_CHECKOUT', 'this'))"
    python = str(other / ".venv" / "bin" / "python")
    theirs = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert theirs.stdout.split() == [str(other / "vivid_data" / "__init__.py"), "other"]
    ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert ours.stdout.split() == [str(REPO / "vivid_data" / "__init__.py"), "this"]  # untouched by the clone
    command = other / ".venv" / "bin" / "vivid-build"
    assert command.is_file() and str(other / ".venv" / "bin" / "python") in command.read_text().splitlines()[0]
