"""Feed one stream of frames to several consumers at once, so it is computed once and never held whole."""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

T = TypeVar("T")
_END = object()


def fan_out(items: Iterable[T], consumers: Sequence[Callable[[Iterator[T]], Any]], buffer: int = 8) -> list[Any]:
    """Run every consumer on its own thread over the same items; return their results in order.

    Each consumer reads from a bounded queue (``buffer`` items), so memory holds at most a few
    items per consumer. A consumer that stops early is drained; the first exception (the
    producer's or a consumer's) is raised after every thread has finished.
    """
    queues: list[queue.Queue] = [queue.Queue(maxsize=buffer) for _ in consumers]
    results: list[Any] = [None] * len(consumers)
    errors: list[BaseException | None] = [None] * len(consumers)

    ended = [False] * len(consumers)

    def receive(index: int) -> Iterator[T]:
        while not ended[index]:
            item = queues[index].get()
            if item is _END:
                ended[index] = True
                return
            yield item

    def run(index: int) -> None:
        try:
            results[index] = consumers[index](receive(index))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors[index] = exc
        finally:
            for item in receive(index):  # anything left (a consumer that stopped early or failed)
                del item

    threads = [threading.Thread(target=run, args=(i,), name=f"fan-out-{i}", daemon=True)
               for i in range(len(consumers))]
    for thread in threads:
        thread.start()
    failure: BaseException | None = None
    try:
        for item in items:
            for q in queues:
                q.put(item)
    except BaseException as exc:  # noqa: BLE001 - the producer's error wins, after the threads end
        failure = exc
    finally:
        for q in queues:
            q.put(_END)
        for thread in threads:
            thread.join()
    if failure is not None:
        raise failure
    for error in errors:
        if error is not None:
            raise error
    return results
