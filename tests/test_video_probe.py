from pathlib import Path

import numpy as np
import pytest
from mediafaults import arrow_frames, rotated_mp4

from vivid_data.video import MediaError, encode_video, probe_video


def test_probe_real_sample(vivid_samples: Path):
    info = probe_video(vivid_samples / "videos" / "upper1.mp4")
    assert (info.num_frames, info.fps, info.width, info.height) == (48, 24.0, 624, 832)
    assert info.duration_s == pytest.approx(2.0)
    assert info.codec == "h264" and info.pix_fmt == "yuv420p"


def test_probe_bytes_equals_path(vivid_samples: Path):
    path = vivid_samples / "agnostic_mask" / "upper1.mp4"
    assert probe_video(path.read_bytes()) == probe_video(path)


def test_probe_own_encoding(rgb_clip):
    info = probe_video(encode_video(rgb_clip, fps=12.5))
    assert (info.num_frames, info.width, info.height) == (8, 80, 64)
    assert info.fps == pytest.approx(12.5)


def test_truncated_faststart_file_is_detected(tmp_path: Path, rgb_clip):
    data = encode_video(rgb_clip)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(MediaError) as info:
        probe_video(cut)
    assert info.value.problem == "truncated" and str(cut) in str(info.value)


def test_truncated_before_index_is_detected(tmp_path: Path, vivid_samples: Path):
    # the official sample keeps its index (moov) at the end: cutting the file loses it
    data = (vivid_samples / "videos" / "upper1.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match="truncated") as info:
        probe_video(cut)
    assert str(cut) in str(info.value)


def test_no_video_stream(tmp_path: Path):
    import av
    import numpy as np

    audio_only = tmp_path / "audio.mp4"
    with av.open(str(audio_only), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=16000)
        samples = np.zeros((1, 1024), dtype=np.float32)
        for _ in range(4):
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate = 16000
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with pytest.raises(MediaError) as info:
        probe_video(audio_only)
    assert info.value.problem == "no_video_stream" and "audio.mp4" in str(info.value)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotation_is_read_from_the_display_matrix(degrees: int):
    upright = arrow_frames()
    info = probe_video(rotated_mp4(upright, degrees))
    assert info.rotation == degrees
    assert (info.display_height, info.display_width) == upright.shape[1:3]
    assert probe_video(encode_video(upright)).rotation == 0


def _two_stream_mp4(path, small=(32, 24), large=(320, 240)) -> None:
    """A first stream under any pixel cap and a second, larger one (the one decoders pick)."""
    import av

    with av.open(str(path), mode="w", format="mp4") as container:
        streams = []
        for width, height in (small, large):
            stream = container.add_stream("libx264", rate=24)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            streams.append(stream)
        for t in range(6):
            for stream in streams:
                frame = av.VideoFrame.from_ndarray(
                    np.full((stream.height, stream.width, 3), 30 * t, np.uint8), format="rgb24"
                )
                for packet in stream.encode(frame):
                    container.mux(packet)
        for stream in streams:
            for packet in stream.encode():
                container.mux(packet)


def test_a_second_video_stream_is_refused(tmp_path):
    """decord decodes the larger stream: probing only the first would let a 4K stream past the pixel cap."""
    import decord

    path = tmp_path / "two.mp4"
    _two_stream_mp4(path)
    assert decord.VideoReader(str(path))[0].shape == (240, 320, 3)  # what a decoder would take
    with pytest.raises(MediaError) as info:
        probe_video(path)
    assert info.value.problem == "multiple_video_streams" and "(32x24, 320x240)" in str(info.value)
