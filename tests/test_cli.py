"""The console scripts, run as a user runs them: a subprocess from an unrelated working directory."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from vivid_data.manifest import load_manifest

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "conf"


def bin_path(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "group_option", [f"{p.parent.name}={p.stem}" for p in sorted(CONF.glob("*/*.yaml"))]
)
def test_every_config_composes(group_option: str, tmp_path: Path):
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        cfg = compose(config_name="build", overrides=[group_option, f"path={tmp_path}"], return_hydra_config=False)
    group, option = group_option.split("=")
    assert cfg[group]["_target_"]


def test_vivid_build_from_another_directory_on_the_real_sample(vivid_samples: Path, tmp_path: Path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("upper1.mp4 00057_00.jpg\nupper1.mp4 00126_00.jpg\n")
    result = run([bin_path("vivid-build"), "source=vivid_folder", f"path={vivid_samples}",
                  "source.pairs=pairs.txt", "work_dir=work"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "624x832" in result.stdout
    manifest = load_manifest(tmp_path / "work" / "manifests" / "ingest.parquet")
    assert len(manifest) == 2 and set(manifest["num_frames"]) == {48}


def test_vivid_build_reports_a_clear_error(tmp_path: Path):
    result = run([bin_path("vivid-build"), "source=vivid_folder", f"path={tmp_path / 'absent'}"], cwd=tmp_path)
    assert result.returncode == 2
    assert f"vivid-build: error: {tmp_path / 'absent'}: ViViD folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_vivid_example_cli(tmp_path: Path):
    result = run([bin_path("vivid-example"), "ex", "--per-category", "1", "--num-frames", "3",
                  "--height", "64", "--width", "64"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "ex").iterdir() if p.is_dir()) == ["dresses", "lower_body", "upper_body"]
