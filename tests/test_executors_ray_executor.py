"""A real local Ray cluster: the same stage functions, the same manifest as the local executor."""

from pathlib import Path

import pandas as pd
import pytest
from test_build import compose_build

from vivid_data.build import run_build
from vivid_data.executors.ray_executor import RayExecutor
from vivid_data.manifest import load_manifest

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
    for name, executor in (
        ("local", ["executor=local", "executor.workers=2"]),
        ("ray", ["executor=ray", "executor.num_cpus=2"]),
    ):
        cfg = compose_build(
            [
                f"work_dir={tmp_path / name}",
                "source=vivid_folder",
                f"path={small_example}",
                "clean.filters.min_frames=8",
                "clean.filters.min_width=64",
                "clean.filters.min_height=64",
                "clean.filters.min_garment_side=64",
                *executor,
            ]
        )
        run_build(cfg, progress=False)
        frames[name] = load_manifest(tmp_path / name / "manifests" / "clean.parquet")
    assert (frames["local"]["status"] == "ok").sum() == 6
    columns = [c for c in frames["local"].columns if c != "stages"]
    pd.testing.assert_frame_equal(frames["local"][columns], frames["ray"][columns])


def test_rtmpose_and_segformer_stages_run_on_ray(small_example: Path, tmp_path: Path):
    from tinymodels import model_build_overrides

    overrides = model_build_overrides(small_example, tmp_path / "models", tmp_path / "work")
    stats = run_build(compose_build([*overrides, "executor=ray", "executor.num_cpus=2"]), progress=False)
    assert stats["pose"]["counts"]["ok"] == 6 and stats["parse"]["counts"]["ok"] == 6
    assert stats["parse"]["executor"]["executor"] == "ray"


def test_a_killed_ray_worker_fails_only_its_row():
    import os
    import signal

    def dies_on_three(value: int) -> int:
        if value == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return value

    executor = RayExecutor(address="local", num_cpus=2)
    try:
        results = {r.index: r for r in executor.map_unordered(dies_on_three, [0, 1, 2, 3, 4, 5])}
    finally:
        executor.close()
    assert results[3].kind == "worker_died" and "died" in results[3].error
    assert {i: r.value for i, r in results.items() if i != 3} == {0: 0, 1: 1, 2: 2, 4: 4, 5: 5}


def test_a_hung_ray_task_fails_its_row_timeout():
    import os
    import signal

    def stops_on_two(value: int) -> int:
        if value == 2:
            os.kill(os.getpid(), signal.SIGSTOP)
        return value

    executor = RayExecutor(address="local", num_cpus=2, row_timeout_s=3.0)
    try:
        results = {r.index: r for r in executor.map_unordered(stops_on_two, [0, 1, 2, 3, 4])}
    finally:
        executor.close()
    assert results[2].kind == "timeout" and "executor.row_timeout_s=3" in results[2].error
    assert {i: r.value for i, r in results.items() if i != 2} == {0: 0, 1: 1, 3: 3, 4: 4}


def test_ray_tasks_use_as_many_threads_as_their_stage_declares():
    import os

    from vivid_data.executors.base import StageResources

    class ReportsThreads:
        resources = StageResources(cpus=1)

        def setup(self) -> None:
            import torch

            self.torch = torch

        def __call__(self, value: int) -> tuple[str | None, int]:
            return os.environ.get("OMP_NUM_THREADS"), self.torch.get_num_threads()

    executor = RayExecutor(address="local", num_cpus=2)
    try:
        values = {r.value for r in executor.map_unordered(ReportsThreads(), list(range(4)))}
    finally:
        executor.close()
    assert values == {("1", 1)}


def test_a_gpu_stage_on_a_cluster_without_gpus_is_refused_clearly():
    from vivid_data.executors.base import StageResources

    class NeedsGpu:
        resources = StageResources(cpus=1, gpus=1)

        def __call__(self, value):
            return value

    executor = RayExecutor(address="local", num_cpus=1, num_gpus=0)
    try:
        with pytest.raises(ValueError, match="asks for 1 GPU"):
            list(executor.map_unordered(NeedsGpu(), [1]))
    finally:
        executor.close()
