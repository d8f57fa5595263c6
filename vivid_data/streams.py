"""Feed one stream of frames to several consumers at once, so it is computed once and never held whole."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
_END = object()


class _Consumer:
    """One consumer on its own thread, reading from a bounded queue until the end marker."""

    def __init__(self, index: int, consume: Callable[[Iterator[Any]], Any], buffer: int) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=buffer)
        self.consume = consume
        self.result: Any = None
        self.error: BaseException | None = None
        self.ended = False
        self.thread = threading.Thread(target=self._run, name=f"fan-out-{index}", daemon=True)

    def _receive(self) -> Iterator[Any]:
        while not self.ended:
            item = self.queue.get()
            if item is _END:
                self.ended = True
                return
            yield item

    def _run(self) -> None:
        try:
            self.result = self.consume(self._receive())
        except BaseException as exc:
            self.error = exc
        finally:
            for item in self._receive():  # anything left (a consumer that stopped early or failed)
                del item


def fan_out(items: Iterable[T], consumers: Sequence[Callable[[Iterator[T]], Any]], buffer: int = 8) -> list[Any]:
    """Run every consumer on its own thread over the same items; return their results in order.

    Each consumer reads from a bounded queue (``buffer`` items), so memory holds at most a few
    items per consumer. A consumer that stops early is drained; the first exception (the
    producer's or a consumer's) is raised after every thread has finished.
    """
    running = [_Consumer(i, consume, buffer) for i, consume in enumerate(consumers)]
    for consumer in running:
        consumer.thread.start()
    failure: BaseException | None = None
    try:
        for item in items:
            for consumer in running:
                consumer.queue.put(item)
    except BaseException as exc:
        failure = exc
    finally:
        for consumer in running:
            consumer.queue.put(_END)
        for consumer in running:
            consumer.thread.join()
    errors = [c.error for c in running if c.error is not None]
    if failure is not None or errors:
        raise failure or errors[0]
    return [c.result for c in running]
