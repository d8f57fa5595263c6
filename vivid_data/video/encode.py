"""Encode frames to H.264 mp4 with PyAV: visually lossless RGB video and bit-exact binary masks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any, overload

import av
import cv2
import numpy as np

from vivid_data.atomic import atomic_path
from vivid_data.video.errors import MediaError

DEFAULT_CRF = 18
REPRODUCIBLE_X264 = {"threads": "1", "x264-params": "mbtree=0"}


def _rate(fps: float) -> Fraction:
    if not fps or fps <= 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    return Fraction(fps).limit_denominator(1001)


def _as_rgb_frames(frames: Iterable[np.ndarray] | np.ndarray) -> Iterable[np.ndarray]:
    for index, frame in enumerate(frames):
        array = np.asarray(frame)
        if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
            raise ValueError(f"frame {index}: expected uint8 (H, W, 3), got {array.dtype} {array.shape}")
        yield np.ascontiguousarray(array)


def rgb_to_yuv420p(frame: np.ndarray) -> np.ndarray:
    """RGB (H, W, 3) -> planar YUV 4:2:0 packed as PyAV wants: (H * 3 / 2, W) uint8 (BT.601, limited range).

    OpenCV's converter rather than swscale's, whose SIMD paths depend on buffer alignment and
    made identical frames encode to different bytes now and then. H and W must be even.
    """
    return cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420)


def _as_yuv420p_frames(frames: Iterable[np.ndarray] | np.ndarray) -> Iterable[np.ndarray]:
    for _index, frame in enumerate(_as_rgb_frames(frames)):
        height, width = frame.shape[:2]
        if height % 2 or width % 2:
            raise ValueError(f"yuv420p needs even frame sizes, got {width}x{height}")
        yield rgb_to_yuv420p(frame)


def _as_mask_frames(masks: Iterable[np.ndarray] | np.ndarray) -> Iterable[np.ndarray]:
    for index, mask in enumerate(masks):
        array = np.asarray(mask)
        if array.ndim == 3 and array.shape[2] in (1, 3):
            array = array[..., 0]
        if array.ndim != 2:
            raise ValueError(f"mask {index}: expected (H, W), got shape {array.shape}")
        yield np.where(array > (0 if array.dtype == bool else 127), 255, 0).astype(np.uint8)


def _write(
    target: str | os.PathLike | None,
    frames: Iterable[np.ndarray],
    frame_format: str,
    fps: float,
    codec: str,
    pix_fmt: str,
    options: dict[str, str],
) -> bytes | Path:
    def encode_into(sink) -> int:
        written = 0
        # faststart puts the index first: streamable, and truncation is detectable by probing
        with av.open(sink, mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream: Any = None  # the video stream, added with the first frame's size
            for frame in frames:
                height, width = frame.shape[:2]
                if frame_format == "yuv420p":
                    height = height * 2 // 3
                if stream is None:
                    stream = container.add_stream(codec, rate=_rate(fps))
                    time_base = 1 / _rate(fps)
                    stream.codec_context.time_base = time_base
                    stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
                    stream.options = dict(options)
                    size = (height, width)
                elif (height, width) != size:
                    raise ValueError(f"frame {written}: size {width}x{height} differs from {size[1]}x{size[0]}")
                video_frame = av.VideoFrame.from_ndarray(frame, format=frame_format)
                # explicit timestamps: without them x264's rate control saw arbitrary frame
                # durations and identical frames encoded differently from run to run
                video_frame.pts = written
                video_frame.time_base = time_base
                for packet in stream.encode(video_frame):
                    container.mux(packet)
                written += 1
            if stream is None:
                raise ValueError("no frames to encode")
            for packet in stream.encode():
                container.mux(packet)
        return written

    try:
        if target is None:
            # faststart rewrites the file after encoding, which needs a real file, not BytesIO
            with tempfile.TemporaryDirectory(prefix="vivid-encode-") as tmp_dir:
                tmp_file = Path(tmp_dir) / "video.mp4"
                encode_into(str(tmp_file))
                return tmp_file.read_bytes()
        with atomic_path(target) as tmp:
            encode_into(str(tmp))
        return Path(target)
    except av.error.FFmpegError as exc:
        raise MediaError(str(target or "<memory>"), "encode", str(exc)) from exc


@overload
def encode_video(
    frames: Iterable[np.ndarray] | np.ndarray,
    path: None = None,
    fps: float = ...,
    crf: int = ...,
    preset: str = ...,
    lossless: bool = ...,
    reproducible: bool = ...,
) -> bytes: ...


@overload
def encode_video(
    frames: Iterable[np.ndarray] | np.ndarray,
    path: str | os.PathLike,
    fps: float = ...,
    crf: int = ...,
    preset: str = ...,
    lossless: bool = ...,
    reproducible: bool = ...,
) -> Path: ...


def encode_video(
    frames: Iterable[np.ndarray] | np.ndarray,
    path: str | os.PathLike | None = None,
    fps: float = 24.0,
    crf: int = DEFAULT_CRF,
    preset: str = "medium",
    lossless: bool = False,
    reproducible: bool = False,
) -> bytes | Path:
    """Encode uint8 RGB frames (T, H, W, 3) as H.264 mp4; return the bytes, or the path written atomically.

    The default is yuv420p (what every player and the released ViViD data use) at ``crf``.
    ``lossless=True`` uses libx264rgb at qp 0 in RGB, which decodes bit-exactly.
    ``reproducible=True`` makes the same frames give the same bytes, which matters where a
    sample id is derived from the bytes: x264 then runs on one thread without macroblock-tree
    rate control, which (measured here) made repeated encodes of short clips differ.
    """
    options = {"preset": preset, **(REPRODUCIBLE_X264 if reproducible else {})}
    if lossless:
        return _write(path, _as_rgb_frames(frames), "rgb24", fps, "libx264rgb", "rgb24", {"qp": "0", **options})
    if not 0 <= crf <= 51:
        raise ValueError(f"crf must be in 0..51, got {crf}")
    return _write(path, _as_yuv420p_frames(frames), "yuv420p", fps, "libx264", "yuv420p", {"crf": str(crf), **options})


@overload
def encode_mask_video(masks: Iterable[np.ndarray] | np.ndarray, path: None = None, fps: float = ...) -> bytes: ...


@overload
def encode_mask_video(masks: Iterable[np.ndarray] | np.ndarray, path: str | os.PathLike, fps: float = ...) -> Path: ...


def encode_mask_video(
    masks: Iterable[np.ndarray] | np.ndarray,
    path: str | os.PathLike | None = None,
    fps: float = 24.0,
) -> bytes | Path:
    """Encode binary masks (T, H, W) losslessly (H.264 qp 0, 4:4:4) so that decode + threshold at 127 is exact.

    White (255) marks the masked region, as in ViViD's ``agnostic_mask`` videos.
    """
    return _write(
        path,
        _as_mask_frames(masks),
        "gray",
        fps,
        "libx264",
        "yuv444p",
        {"qp": "0", "preset": "veryfast", **REPRODUCIBLE_X264},
    )
