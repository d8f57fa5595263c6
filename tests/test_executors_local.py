import os

import pytest

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
    assert LocalExecutor(3).describe() == {"executor": "local", "workers": 3}
