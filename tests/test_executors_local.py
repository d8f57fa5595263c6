import os
import signal
import subprocess
import sys
import time

import pytest

from vivid_data.executors.base import StageResources
from vivid_data.executors.local import LocalExecutor


def square(value: int) -> int:
    if value == 7:
        raise ValueError("seven")
    return value * value


def worker_pid(_value) -> int:
    return os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_all_items_once_with_errors_captured(workers: int):
    results = list(LocalExecutor(workers).map_unordered(square, list(range(10))))
    assert sorted(r.index for r in results) == list(range(10))
    values = {r.index: r.value for r in results if r.error is None}
    assert values == {i: i * i for i in range(10) if i != 7}
    assert "ValueError: seven" in next(r.error for r in results if r.index == 7)


def test_pool_uses_other_processes_and_inline_does_not():
    assert {r.value for r in LocalExecutor(1).map_unordered(worker_pid, [0, 1])} == {os.getpid()}
    assert os.getpid() not in {r.value for r in LocalExecutor(2).map_unordered(worker_pid, range(4))}


def test_defaults_and_validation():
    assert LocalExecutor().workers == (os.cpu_count() or 1)
    with pytest.raises(ValueError):
        LocalExecutor(workers=-1)
    assert LocalExecutor(3).describe() == {"executor": "local", "workers": 3, "row_timeout_s": 1800}


class DiesOnSeven:
    """A task that kills its own worker process (as the kernel's OOM killer would) on one item."""

    def __call__(self, value: int) -> int:
        if value == 7:
            os.kill(os.getpid(), signal.SIGKILL)
        return value * 10


class StopsOnFour:
    """A worker that hangs on one row: it stops itself with SIGSTOP, as a stuck decoder or a debugger would."""

    def __call__(self, value: int) -> int:
        if value == 4:
            os.kill(os.getpid(), signal.SIGSTOP)
        return value + 100


def test_a_hung_worker_fails_its_row_timeout_and_the_rest_goes_on():
    executor = LocalExecutor(2, row_timeout_s=2.0)
    started = time.monotonic()
    try:
        results = {r.index: r for r in executor.map_unordered(StopsOnFour(), list(range(8)))}
        again = {r.index: r.value for r in executor.map_unordered(StopsOnFour(), [1, 2])}
    finally:
        executor.close()
    assert time.monotonic() - started < 60
    stuck = results[4]
    assert stuck.kind == "timeout" and stuck.value is None
    assert "over the limit executor.row_timeout_s=2" in stuck.error and "killed and replaced" in stuck.error
    assert {i: r.value for i, r in results.items() if i != 4} == {i: i + 100 for i in range(8) if i != 4}
    assert again == {0: 101, 1: 102} and executor.deaths[-1]["exit"] == "timeout"
    with pytest.raises(ValueError, match="row_timeout_s must be positive"):
        LocalExecutor(2, row_timeout_s=0)


def test_a_killed_worker_fails_only_its_row_and_is_replaced():
    executor = LocalExecutor(2)
    try:
        results = {r.index: r for r in executor.map_unordered(DiesOnSeven(), list(range(12)))}
        again = {r.index: r.value for r in executor.map_unordered(DiesOnSeven(), [1, 2, 3])}
    finally:
        executor.close()
    assert sorted(results) == list(range(12))
    died = results[7]
    assert died.kind == "worker_died" and died.value is None and "killed by SIGKILL" in died.error
    assert {i: r.value for i, r in results.items() if i != 7} == {i: i * 10 for i in range(12) if i != 7}
    assert again == {0: 10, 1: 20, 2: 30}  # the pool was replaced and goes on
    assert len(executor.deaths) == 1


class CountsSetups:
    """Set up once per worker: the set-up marker travels with every result."""

    def __init__(self) -> None:
        self.setups = 0

    def setup(self) -> None:
        self.setups += 1
        self.pid = os.getpid()

    def __call__(self, value: int) -> tuple[int, int]:
        return self.pid, self.setups


@pytest.mark.parametrize("workers", [1, 2])
def test_setup_runs_once_per_worker(workers: int):
    executor = LocalExecutor(workers)
    try:
        values = [r.value for r in executor.map_unordered(CountsSetups(), list(range(10)))]
    finally:
        executor.close()
    assert {setups for _, setups in values} == {1}
    assert len({pid for pid, _ in values}) <= workers


class ReportsThreads:
    """Imports torch in its setup, as TransNetV2's and SegFormer's stages do; reports the threads it got."""

    def __init__(self, cpus: float) -> None:
        self.resources = StageResources(cpus=cpus)

    def setup(self) -> None:
        import torch

        self.torch = torch

    def __call__(self, value: int) -> tuple[str | None, int]:
        return os.environ.get("OMP_NUM_THREADS"), self.torch.get_num_threads()


@pytest.mark.parametrize(("cpus", "threads"), [(1, 1), (0.5, 1), (2, 2)])
def test_workers_use_as_many_threads_as_their_stage_declares(cpus: float, threads: int):
    executor = LocalExecutor(2)
    try:
        values = {r.value for r in executor.map_unordered(ReportsThreads(cpus), list(range(4)))}
    finally:
        executor.close()
    assert values == {(str(threads), threads)}


class BrokenSetup:
    def setup(self) -> None:
        raise FileNotFoundError("/models/pose.onnx: not found")

    def __call__(self, value):
        return value


def test_a_failing_setup_is_reported_as_such():
    results = list(LocalExecutor(1).map_unordered(BrokenSetup(), [1, 2]))
    assert {r.kind for r in results} == {"setup_error"} and "pose.onnx" in results[0].error


def test_a_stage_that_cannot_be_pickled_is_named():
    executor = LocalExecutor(2)
    with pytest.raises(TypeError, match="open models and sessions in setup"):
        list(executor.map_unordered(lambda value: value, [1]))
    executor.close()


def test_workers_end_with_the_main_process(tmp_path):
    """SIGKILL the main process of a pool: its workers must not live on."""
    script = tmp_path / "main.py"
    script.write_text(
        "import os, sys, time\n"
        "from vivid_data.executors.local import LocalExecutor\n"
        "def slow(v):\n    time.sleep(60)\n    return os.getpid()\n"
        "if __name__ == '__main__':\n"
        "    ex = LocalExecutor(2)\n"
        "    it = ex.map_unordered(slow, [1, 2])\n"
        "    import threading\n"
        "    threading.Thread(target=lambda: list(it), daemon=True).start()\n"
        "    time.sleep(8)\n"
        "    print(' '.join(str(w.process.pid) for w in ex._pool), flush=True)\n"
        "    time.sleep(60)\n"
    )
    main = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in main.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    main.kill()
    main.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    assert not any(_alive(p) for p in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_rtmpose_and_segformer_stages_run_on_two_workers(small_example, tmp_path):
    from test_build import compose_build
    from tinymodels import model_build_overrides

    from vivid_data.build import run_build

    overrides = model_build_overrides(small_example, tmp_path / "models", tmp_path / "work")
    stats = run_build(compose_build([*overrides, "executor.workers=2"]), progress=False)
    assert stats["pose"]["counts"]["ok"] == 6 and stats["parse"]["counts"]["ok"] == 6
    assert stats["parse"]["executor"] == {"executor": "local", "workers": 2, "row_timeout_s": 1800}
