"""A real local Ray cluster: the same stage functions, the same manifest as the local executor."""

from pathlib import Path

import pandas as pd
import pytest

from vivid_data.build import run_build
from vivid_data.executors.ray_executor import RayExecutor
from vivid_data.manifest import load_manifest
from test_build import compose_build

pytestmark = pytest.mark.slow


def square(value: int) -> int:
    if value < 0:
        raise ValueError("negative")
    return value * value


def test_map_unordered_on_a_local_cluster():
    executor = RayExecutor(address="local", num_cpus=2)
    try:
        results = list(executor.map_unordered(square, [3, -1, 4, 5]))
    finally:
        executor.close()
    assert {r.index: r.value for r in results if r.error is None} == {0: 9, 2: 16, 3: 25}
    assert "ValueError: negative" in next(r.error for r in results if r.index == 1)


def test_local_and_ray_builds_give_identical_manifests(small_example: Path, tmp_path: Path):
    frames = {}
    for name, executor in (("local", ["executor=local", "executor.workers=2"]),
                           ("ray", ["executor=ray", "executor.num_cpus=2"])):
        cfg = compose_build([f"work_dir={tmp_path / name}", "source=vivid_folder", f"path={small_example}",
                             "clean.filters.min_frames=8", "clean.filters.min_width=64",
                             "clean.filters.min_height=64", "clean.filters.min_garment_side=64", *executor])
        run_build(cfg, progress=False)
        frames[name] = load_manifest(tmp_path / name / "manifests" / "clean.parquet")
    assert (frames["local"]["status"] == "ok").sum() == 6
    columns = [c for c in frames["local"].columns if c != "stages"]
    pd.testing.assert_frame_equal(frames["local"][columns], frames["ray"][columns])
