import itertools
import threading
import time

from vivid_data.net.ratelimit import HostLimiter


def test_min_interval_and_concurrency_per_host():
    limiter = HostLimiter(min_interval_s=0.1, per_host_concurrency=1)
    starts: list[float] = []
    active, peak = [0], [0]
    lock = threading.Lock()

    def visit():
        with limiter.slot("shop.example"):
            with lock:
                starts.append(time.monotonic())
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.01)
            with lock:
                active[0] -= 1

    threads = [threading.Thread(target=visit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts.sort()
    assert peak[0] == 1
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.09


def test_hosts_are_independent():
    limiter = HostLimiter(min_interval_s=1.0)
    started = time.monotonic()
    with limiter.slot("a.example"):
        pass
    with limiter.slot("b.example"):
        pass
    assert time.monotonic() - started < 0.5
