"""A video's frames, decoded chunk by chunk on demand: what stages read instead of a whole clip.

A 1080p clip of 1,800 frames is 11 GB of RGB; a stage that walks through it in chunks of 64
holds 400 MB at most. :class:`ArrayFrames` offers the same interface over frames already in
memory (tests, notebooks).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np

from vivid_data.video.decode import decode_video, iter_video_chunks, open_reader
from vivid_data.video.source import MediaSource

DEFAULT_CHUNK = 64


class Frames(Protocol):
    count: int
    height: int
    width: int

    def chunks(self, reverse: bool = False) -> Iterator[tuple[int, np.ndarray]]: ...

    def at(self, indices: Sequence[int]) -> np.ndarray: ...


class VideoFrames:
    """Frames of a video file or bytes; ``chunks()`` yields (first index, frames) of ``chunk`` frames."""

    def __init__(self, source: MediaSource, name: str | None = None, chunk: int = DEFAULT_CHUNK) -> None:
        self.source, self.name, self.chunk = source, name, chunk
        reader = open_reader(source, name=name)
        self.count = len(reader)
        first = reader.get_batch([0]).asnumpy() if self.count else np.zeros((1, 0, 0, 3), np.uint8)
        self.height, self.width = int(first.shape[1]), int(first.shape[2])

    def chunks(self, reverse: bool = False) -> Iterator[tuple[int, np.ndarray]]:
        yield from iter_video_chunks(self.source, self.chunk, name=self.name, reverse=reverse)

    def at(self, indices: Sequence[int]) -> np.ndarray:
        return decode_video(self.source, indices=list(indices), name=self.name)


class ArrayFrames:
    """The same interface over a (T, H, W, 3) array."""

    def __init__(self, frames: np.ndarray, chunk: int = DEFAULT_CHUNK) -> None:
        self.frames = frames
        self.chunk = chunk
        self.count, self.height, self.width = len(frames), int(frames.shape[1]), int(frames.shape[2])

    def chunks(self, reverse: bool = False) -> Iterator[tuple[int, np.ndarray]]:
        starts = list(range(0, self.count, self.chunk))
        for start in reversed(starts) if reverse else starts:
            yield start, self.frames[start : start + self.chunk]

    def at(self, indices: Sequence[int]) -> np.ndarray:
        return self.frames[list(indices)]


def as_frames(value: np.ndarray | Frames) -> Frames:
    return ArrayFrames(value) if isinstance(value, np.ndarray) else value
