import numpy as np

from vivid_data.frame_runs import runs_where


def test_runs_by_hand():
    mask = np.array([1, 1, 0, 1, 0, 0, 1, 1, 1], bool)
    assert runs_where(mask) == [(0, 2), (3, 4), (6, 9)]  # a run at either end included


def test_no_runs_and_all_one_run():
    assert runs_where(np.zeros(5, bool)) == []
    assert runs_where(np.ones(3, bool)) == [(0, 3)]
    assert runs_where(np.zeros(0, bool)) == []
