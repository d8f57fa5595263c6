import threading

import pytest

from vivid_data.streams import fan_out


def test_every_consumer_sees_every_item_once_and_memory_stays_bounded():
    produced = []
    in_flight = []

    def items():
        for i in range(200):
            produced.append(i)
            in_flight.append(len(produced) - min(len(seen_a), len(seen_b)))
            yield i

    seen_a, seen_b = [], []

    def collect(target):
        def consume(stream):
            for item in stream:
                target.append(item)
            return len(target)

        return consume

    assert fan_out(items(), [collect(seen_a), collect(seen_b)], buffer=4) == [200, 200]
    assert seen_a == seen_b == list(range(200))
    assert max(in_flight) <= 2 * 4 + 2  # never more than the buffers ahead of the slowest consumer


def test_a_consumer_that_stops_early_does_not_block_the_others():
    assert fan_out(range(100), [lambda s: next(iter(s)), lambda s: sum(s)], buffer=2) == [0, 4950]


def test_errors_of_consumers_and_producer_are_raised_after_all_threads_end():
    def failing(stream):
        for item in stream:
            if item == 5:
                raise ValueError("bad item 5")

    with pytest.raises(ValueError, match="bad item 5"):
        fan_out(range(50), [failing, sum], buffer=2)

    def broken():
        yield 1
        raise RuntimeError("decoder broke")

    with pytest.raises(RuntimeError, match="decoder broke"):
        fan_out(broken(), [sum, list])
    assert not [t for t in threading.enumerate() if t.name.startswith("fan-out-")]
