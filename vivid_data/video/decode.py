"""Decode frames with decord from a path or from in-memory bytes, all or selected, optionally resized."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import av
import decord
import numpy as np

from vivid_data.video.errors import MediaError, describe_source
from vivid_data.video.probe import normalize_rotation, probe_video
from vivid_data.video.source import MediaSource, check_video_source, is_bytes, open_binary

decord.bridge.set_bridge("native")
decord.logging.set_level(decord.logging.QUIET)


def open_reader(
    source: MediaSource,
    size: tuple[int, int] | None = None,
    name: str | None = None,
    num_threads: int = 1,
) -> decord.VideoReader:
    """A decord reader over ``source``; ``size`` is (height, width) to resize at decode time.

    decord's own errors say little, so on failure the source is probed to name the problem.
    """
    label = describe_source(source, name)
    check_video_source(source, name)
    height, width = size if size is not None else (-1, -1)
    handle = open_binary(source)
    try:
        reader = decord.VideoReader(handle, width=width, height=height, num_threads=num_threads)
    except (decord.DECORDError, RuntimeError) as exc:
        handle.close()
        probe_video(source, name)  # raises the precise MediaError when it can
        raise MediaError(label, "not_a_video", f"decord cannot open it: {exc}") from exc
    if not is_bytes(source):
        handle.close()  # decord has read the path's bytes through the handle; keep nothing open
    if len(reader) == 0:
        raise MediaError(label, "truncated", "no decodable frame")
    return reader


def decode_video(
    source: MediaSource,
    indices: Sequence[int] | None = None,
    size: tuple[int, int] | None = None,
    name: str | None = None,
    num_threads: int = 1,
) -> np.ndarray:
    """Decode frames as a uint8 RGB array of shape (T, H, W, 3).

    ``indices`` selects frames (negative values count from the end); only those are decoded.
    """
    label = describe_source(source, name)
    reader = open_reader(source, size=size, name=name, num_threads=num_threads)
    count = len(reader)
    wanted = list(range(count)) if indices is None else [int(i) for i in indices]
    resolved = [i + count if i < 0 else i for i in wanted]
    bad = [i for i, r in zip(wanted, resolved) if not 0 <= r < count]
    if bad:
        raise IndexError(f"{label}: frame indices {bad[:5]} out of range for {count} frames")
    if not resolved:
        raise ValueError(f"{label}: no frame indices requested")
    try:
        frames = reader.get_batch(resolved).asnumpy()
    except (decord.DECORDError, RuntimeError) as exc:
        # decord 0.6 fails on some frame widths (e.g. 48 px) with a buffer-size check;
        # PyAV decodes those correctly, and a truly corrupt stream fails there too.
        frames = _decode_with_pyav(source, resolved, size, label, exc)
    return np.ascontiguousarray(frames)


def _decode_with_pyav(
    source: MediaSource, indices: list[int], size: tuple[int, int] | None, label: str, cause: Exception
) -> np.ndarray:
    wanted = set(indices)
    found: dict[int, np.ndarray] = {}
    try:
        with open_binary(source) as handle, av.open(handle, mode="r") as container:
            for index, frame in enumerate(container.decode(video=0)):
                if index in wanted:
                    found[index] = _upright(frame, size)
                if len(found) == len(wanted):
                    break
    except av.error.FFmpegError as exc:
        raise MediaError(label, "bad_frames", f"decoding frames failed: {cause}; PyAV: {exc}") from exc
    if len(found) < len(wanted):
        missing = sorted(wanted - set(found))[:5]
        raise MediaError(label, "bad_frames", f"frames {missing} not decodable: {cause}")
    return np.stack([found[i] for i in indices])


def _upright(frame: av.VideoFrame, size: tuple[int, int] | None) -> np.ndarray:
    """RGB pixels of a PyAV frame turned as its display matrix says, then resized to ``size`` (H, W)."""
    turns = normalize_rotation(getattr(frame, "rotation", 0)) // 90
    if size is not None:
        height, width = size if turns % 2 == 0 else size[::-1]
        frame = frame.reformat(width=width, height=height)
    pixels = frame.to_ndarray(format="rgb24")
    return np.ascontiguousarray(np.rot90(pixels, k=turns)) if turns else pixels


def decode_upright(source: MediaSource, name: str | None = None, max_frames: int | None = None) -> np.ndarray:
    """Every frame, turned upright as the container's rotation says (decord ignores it); PyAV decodes."""
    label = describe_source(source, name)
    check_video_source(source, name)
    frames = []
    try:
        with open_binary(source) as handle, av.open(handle, mode="r") as container:
            for frame in container.decode(video=0):
                frames.append(_upright(frame, None))
                if max_frames is not None and len(frames) >= max_frames:
                    break
    except av.error.FFmpegError as exc:
        raise MediaError(label, "bad_frames", f"decoding failed after {len(frames)} frames: {exc}") from exc
    if not frames:
        raise MediaError(label, "truncated", "no decodable frame")
    return np.stack(frames)


def iter_video_chunks(
    source: MediaSource,
    chunk: int = 64,
    size: tuple[int, int] | None = None,
    name: str | None = None,
    reverse: bool = False,
    start: int = 0,
    stop: int | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """(first index, frames) of frames ``start``..``stop`` in chunks of at most ``chunk`` frames, so a long
    clip is never held whole. ``reverse`` yields the chunks from the end backwards, each chunk in frame order.
    """
    reader = open_reader(source, size=size, name=name)
    count = len(reader) if stop is None else min(len(reader), stop)
    starts = list(range(max(0, start), count, max(1, chunk)))
    for first in reversed(starts) if reverse else starts:
        indices = list(range(first, min(count, first + chunk)))
        try:
            frames = reader.get_batch(indices).asnumpy()
        except (decord.DECORDError, RuntimeError) as exc:
            frames = _decode_with_pyav(source, indices, size, describe_source(source, name), exc)
        yield first, np.ascontiguousarray(frames)


def count_decodable_frames(source: MediaSource, name: str | None = None) -> int:
    """Number of frames decord can index; a cross-check against :func:`probe_video`."""
    return len(open_reader(source, name=name))
