import numpy as np

from vivid_data.pose.mediapipe_backend import MediapipePose, merge_passes
from vivid_data.pose.result import PoseTrack
from vivid_data.pose.skeleton import MEDIAPIPE


def test_real_sample_every_frame_and_one_person(upper1_track):
    # forward tracking alone loses the person where the head leaves the frame (frames 0-15)
    assert upper1_track.detected.all()
    assert upper1_track.keypoints.shape == (48, 33, 3)
    checked = upper1_track.people[upper1_track.people >= 0]
    assert len(checked) == 6 and (checked <= 1).all()
    # person masks are kept at 256 rows (MediaPipe segments at 256x256 and scales up)
    assert upper1_track.person_masks.shape == (48, 256, 192) and 0.05 < upper1_track.person_masks.mean() < 0.5


def test_two_people_side_by_side(upper1_frames):
    frames = np.concatenate([upper1_frames[20:44:2], upper1_frames[24:48:2]], axis=2)
    track = MediapipePose(people_frames=6)(frames)
    assert (track.people >= 2).sum() >= 2


def test_no_person():
    frames = np.full((6, 256, 192, 3), 200, np.uint8)
    track = MediapipePose(bidirectional=False)(frames)
    assert not track.detected.any() and (track.people[track.people >= 0] == 0).all()


def test_merge_follows_the_continuous_track():
    count = 6
    good = np.zeros((count, 33, 3), np.float32)
    good[..., 0] = 100 + np.arange(count)[:, None]
    good[..., 1] = 50
    wrong = good.copy()
    wrong[:3, :, 1] = 400  # a wrong lock in the first frames
    masks = np.zeros((count, 4, 4), bool)
    forward = PoseTrack(wrong, np.ones(count, bool), MEDIAPIPE, 480, 360, person_masks=masks)
    backward = PoseTrack(good, np.array([1, 1, 1, 1, 1, 0], bool), MEDIAPIPE, 480, 360, person_masks=masks)
    merged = merge_passes(forward, backward)
    assert merged.detected.all()
    np.testing.assert_array_equal(merged.keypoints[:, 0, 1], np.full(count, 50))
