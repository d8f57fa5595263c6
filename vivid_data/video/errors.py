"""One error type for unreadable media, naming the file and what was wrong with it."""

from __future__ import annotations


class MediaError(ValueError):
    """A video or image that cannot be used.

    ``problem`` is a short machine-readable tag (``missing``, ``empty``, ``not_a_video``,
    ``not_an_image``, ``truncated``, ``no_video_stream``, ``multiple_video_streams``, ``bad_frames``,
    ``encode``)
    that stages record as a rejection reason.
    """

    def __init__(self, source: str, problem: str, detail: str = "") -> None:
        self.source = source
        self.problem = problem
        self.detail = detail
        message = f"{source}: {problem.replace('_', ' ')}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


def describe_source(source: object, name: str | None = None) -> str:
    """Human name of a media source: the given name, the path, or ``<N bytes in memory>``."""
    if name:
        return name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<{len(source)} bytes in memory>"
    return str(source)
