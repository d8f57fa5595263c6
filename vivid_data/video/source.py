"""Turn a path or in-memory bytes into something the decoders can open, checking the cheap things first."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from vivid_data.sniff import IMAGE_KINDS, VIDEO_KINDS, sniff_bytes, sniff_file
from vivid_data.video.errors import MediaError, describe_source

if TYPE_CHECKING:
    from typing_extensions import TypeIs

MediaSource = str | os.PathLike | bytes | bytearray | memoryview


def is_bytes(source: MediaSource) -> TypeIs[bytes | bytearray | memoryview]:
    return isinstance(source, (bytes, bytearray, memoryview))


def check_video_source(source: MediaSource, name: str | None = None) -> str:
    """Raise :class:`MediaError` for a missing, empty or non-video source; return the sniffed kind."""
    label = describe_source(source, name)
    if is_bytes(source):
        if len(source) == 0:
            raise MediaError(label, "empty", "0 bytes")
        kind = sniff_bytes(bytes(source[:64]))
    else:
        path = Path(source)
        if not path.exists():
            raise MediaError(label, "missing", "no such file")
        if path.is_dir():
            raise MediaError(label, "not_a_video", "is a directory")
        if path.stat().st_size == 0:
            raise MediaError(label, "empty", "0 bytes")
        kind = sniff_file(path)
    if kind in IMAGE_KINDS:
        raise MediaError(label, "not_a_video", f"content is a {kind.upper()} image")
    if kind == "html":
        raise MediaError(label, "not_a_video", "content is an HTML/XML document")
    if kind not in VIDEO_KINDS:
        raise MediaError(label, "not_a_video", "unrecognised container signature")
    return kind


def open_binary(source: MediaSource) -> BinaryIO:
    """A seekable binary stream over a path or bytes; no temporary files."""
    if is_bytes(source):
        return io.BytesIO(bytes(source))
    return open(source, "rb")


def source_size(source: MediaSource) -> int:
    return len(source) if is_bytes(source) else Path(source).stat().st_size
