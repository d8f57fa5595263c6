"""Media files with the faults real scrapes bring: rotated phone videos, huge or transparent images."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import av
import numpy as np
from PIL import Image


def png_claiming(width: int, height: int) -> bytes:
    """A real PNG whose header says ``width`` x ``height`` (its pixel data is a 1x1 image's): what a reader
    sees before decoding. Decoding it would fail; a safe reader refuses it from the header alone."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (10, 20, 30)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def rgba_png(rgb: np.ndarray, alpha: np.ndarray) -> bytes:
    """A product cut-out: RGB where ``alpha`` is 255, fully transparent (black underneath) elsewhere."""
    rgba = np.dstack([np.where(alpha[..., None] > 0, rgb, 0), alpha]).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def rotated_mp4(upright: np.ndarray, degrees: int, path: Path | None = None, fps: int = 24) -> bytes:
    """What a phone records: frames stored turned away by ``degrees`` and a display matrix that turns them
    back (counter-clockwise ``degrees``), written by libav like any camera app's muxer."""
    coded = np.ascontiguousarray(np.rot90(upright, k=-(degrees // 90), axes=(1, 2)))
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = coded.shape[1], coded.shape[2]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "10"}
        stream.set_display_rotation(degrees)
        for index, frame in enumerate(coded):
            video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
            video_frame.pts = index
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def arrow_frames(count: int = 8, height: int = 96, width: int = 64) -> np.ndarray:
    """Portrait frames with an unmistakable up direction: a bright block at the top left, moving down."""
    frames = np.full((count, height, width, 3), 40, np.uint8)
    for t in range(count):
        frames[t, 4 + t : 28 + t, 4:24] = (250, 200, 40)
    return frames
