import numpy as np

from vivid_data.pose.skeleton import COCO, MEDIAPIPE, edge_colours, render_pose


def test_skeletons_are_consistent():
    for skeleton in (MEDIAPIPE, COCO):
        assert all(0 <= a < len(skeleton.names) and 0 <= b < len(skeleton.names) for a, b in skeleton.edges)
    assert len(MEDIAPIPE.names) == 33 and len(COCO.names) == 17
    assert MEDIAPIPE.index("left_hip") == 23 and COCO.index("left_hip") == 11


def test_render_draws_visible_limbs_only():
    keypoints = np.zeros((17, 3), np.float32)
    keypoints[COCO.index("left_shoulder")] = (20, 20, 1.0)
    keypoints[COCO.index("left_elbow")] = (20, 60, 1.0)
    keypoints[COCO.index("left_wrist")] = (60, 60, 0.0)  # invisible: its limb is not drawn
    frame = render_pose(keypoints, COCO, 100, 80)
    assert frame.shape == (100, 80, 3) and frame[40, 20].max() > 100
    assert frame[60, 45].max() == 0 and frame[0, 0].max() == 0
    colours = edge_colours(5)
    assert len({tuple(c) for c in colours}) == 5
