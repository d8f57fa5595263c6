from vivid_data.executors.base import timed_call


def fails(value):
    raise KeyError(value)


def test_timed_call_returns_value_or_traceback():
    ok = timed_call(abs, 3, -2)
    assert (ok.index, ok.value, ok.error) == (3, 2, None) and ok.duration_s >= 0
    bad = timed_call(fails, 0, "x")
    assert bad.value is None and "KeyError: 'x'" in bad.error
