import numpy as np

from vivid_data.pose.result import PoseTrack
from vivid_data.pose.skeleton import COCO


def test_npz_round_trip():
    keypoints = np.random.default_rng(0).random((5, 17, 3)).astype(np.float32)
    track = PoseTrack(keypoints, np.array([1, 1, 0, 1, 1], bool), COCO, 64, 48)
    again = PoseTrack.from_npz(track.to_npz())
    np.testing.assert_array_equal(again.keypoints, keypoints)
    assert again.detected.tolist() == [True, True, False, True, True]
    assert (again.skeleton, again.height, again.width) == (COCO, 64, 48)
    with np.load(__import__("io").BytesIO(track.to_npz())) as npz:
        assert npz["edges"].shape == (len(COCO.edges), 2) and list(npz["names"]) == list(COCO.names)
