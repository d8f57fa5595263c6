"""Probe a video's facts (frames, fps, size, codec) and detect truncation without decoding pixels."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

import av

from vivid_data.video.errors import MediaError, describe_source
from vivid_data.video.source import MediaSource, check_video_source, open_binary, source_size


@dataclass(frozen=True)
class VideoInfo:
    """Facts about a video stream; ``duration_s`` is ``num_frames / fps``.

    ``width`` and ``height`` are the coded frame size; ``rotation`` (0, 90, 180 or 270) is the
    counter-clockwise turn the container's display matrix asks for (phone videos), so the
    upright frames are ``display_width`` x ``display_height``.
    """

    num_frames: int
    fps: float
    width: int
    height: int
    duration_s: float
    codec: str
    pix_fmt: str | None
    rotation: int = 0

    @property
    def display_width(self) -> int:
        return self.height if self.rotation in (90, 270) else self.width

    @property
    def display_height(self) -> int:
        return self.width if self.rotation in (90, 270) else self.height

    @property
    def pixels(self) -> int:
        return self.width * self.height

    def as_dict(self) -> dict:
        return asdict(self)


def probe_video(source: MediaSource, name: str | None = None) -> VideoInfo:
    """Read the container and demux every video packet (no pixel decoding).

    Demuxing is what catches a truncated file whose index promises more frames than
    the bytes hold: the count of complete packets must match the declared count.
    """
    label = describe_source(source, name)
    kind = check_video_source(source, name)
    total_size = source_size(source)
    with open_binary(source) as handle:
        try:
            container = av.open(handle, mode="r")
        except av.error.FFmpegError as exc:
            problem = "truncated" if kind in ("mp4", "mov") else "not_a_video"
            raise MediaError(label, problem, f"container unreadable: {exc}") from exc
        with container:
            if not container.streams.video:
                raise MediaError(label, "no_video_stream", f"{len(container.streams)} other streams")
            moving = [s for s in container.streams.video if not _is_cover_art(s)]
            if len(moving) > 1:
                # the decoder picks the "best" stream, not the first: a 192x256 first stream would pass
                # the pixel cap while a 3840x2160 second one is decoded. One video stream per file.
                sizes = ", ".join(f"{s.codec_context.width}x{s.codec_context.height}" for s in moving)
                raise MediaError(
                    label, "multiple_video_streams", f"{len(moving)} video streams ({sizes}); one expected"
                )
            stream = moving[0] if moving else container.streams.video[0]
            declared = int(stream.frames or 0)
            packets = 0
            try:
                for packet in container.demux(stream):
                    if packet.size == 0:
                        continue
                    if packet.pos is not None and packet.pos >= 0 and packet.pos + packet.size > total_size:
                        break
                    packets += 1
            except av.error.FFmpegError as exc:
                raise MediaError(label, "truncated", f"demux failed after {packets} packets: {exc}") from exc
            if packets == 0:
                raise MediaError(label, "truncated", "no complete video packet")
            if declared and packets < declared:
                raise MediaError(label, "truncated", f"{packets} of {declared} frames present")
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            fps = float(Fraction(rate)) if rate else 0.0
            if fps <= 0:
                raise MediaError(label, "not_a_video", "stream has no frame rate")
            context = stream.codec_context
            num_frames = declared or packets
            width, height, codec, pix_fmt = int(context.width), int(context.height), context.name, context.pix_fmt
    return VideoInfo(
        num_frames=num_frames,
        fps=fps,
        duration_s=num_frames / fps,
        rotation=_first_frame_rotation(source),
        width=width,
        height=height,
        codec=codec,
        pix_fmt=pix_fmt,
    )


def _is_cover_art(stream) -> bool:
    """A still image attached to the file (cover art), which no decoder takes for the video."""
    disposition = getattr(stream, "disposition", 0)
    flag = getattr(getattr(av, "stream", None), "Disposition", None)
    attached = getattr(flag, "attached_pic", 1024) if flag is not None else 1024
    return bool(int(disposition) & int(attached))


def normalize_rotation(degrees: float | None) -> int:
    """0, 90, 180 or 270 (counter-clockwise) from a display-matrix angle such as -90.0."""
    if not degrees:
        return 0
    return int(round(float(degrees) / 90.0)) % 4 * 90


def _first_frame_rotation(source: MediaSource) -> int:
    """The display rotation, which libav attaches to decoded frames (0 when the first frame fails)."""
    try:
        with open_binary(source) as handle, av.open(handle, mode="r") as container:
            for frame in container.decode(video=0):
                return normalize_rotation(getattr(frame, "rotation", 0))
    except (av.error.FFmpegError, StopIteration, ValueError):
        return 0
    return 0
