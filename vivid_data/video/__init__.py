"""Video and image I/O: probe, decode (decord), encode (PyAV), with errors that name the file."""

from vivid_data.video.decode import count_decodable_frames, decode_upright, decode_video, iter_video_chunks, open_reader
from vivid_data.video.encode import encode_mask_video, encode_video
from vivid_data.video.errors import MediaError
from vivid_data.video.image import encode_image, image_size, read_image, read_mask, write_image
from vivid_data.video.probe import VideoInfo, probe_video

__all__ = [
    "MediaError",
    "VideoInfo",
    "count_decodable_frames",
    "decode_upright",
    "decode_video",
    "encode_image",
    "encode_mask_video",
    "encode_video",
    "image_size",
    "iter_video_chunks",
    "open_reader",
    "probe_video",
    "read_image",
    "read_mask",
    "write_image",
]
