import numpy as np

from vivid_data.video import encode_video
from vivid_data.video.frames import ArrayFrames, VideoFrames, as_frames


def test_video_and_array_frames_agree(rgb_clip):
    data = encode_video(rgb_clip, lossless=True)
    video, array = VideoFrames(data, chunk=3), ArrayFrames(rgb_clip, chunk=3)
    assert (video.count, video.height, video.width) == (array.count, array.height, array.width) == (8, 64, 80)
    for (a_start, a), (b_start, b) in zip(video.chunks(reverse=True), array.chunks(reverse=True)):
        assert a_start == b_start and len(a) <= 3
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(video.at([7, 0]), rgb_clip[[7, 0]])
    assert as_frames(rgb_clip).count == 8 and as_frames(video) is video
