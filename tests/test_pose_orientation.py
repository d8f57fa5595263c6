from pathlib import Path

import numpy as np
import pytest

from vivid_data.pose.mediapipe_backend import MediapipePose
from vivid_data.pose.orientation import (
    BACK,
    FRONTAL,
    SIDE,
    UNKNOWN,
    body_orientation,
    frontal_runs,
    longest_run,
    orientation_signals,
    runs_of,
)
from vivid_data.pose.skeleton import COCO, MEDIAPIPE
from vivid_data.pose.smoothing import fill_gaps, smooth_tracks
from vivid_data.video import decode_video


def person(skeleton, shoulder_dx: float, face: float, frames: int = 1) -> np.ndarray:
    """Hand-placed keypoints: shoulders at x = 50 +- dx/2 (the left one at +dx/2), hips 40 px below; face visibility."""
    points = np.zeros((frames, len(skeleton.names), 3))
    points[..., 2] = 1.0
    for name, x, y in (
        ("left_shoulder", 50 + shoulder_dx / 2, 20),
        ("right_shoulder", 50 - shoulder_dx / 2, 20),
        ("left_hip", 55, 60),
        ("right_hip", 45, 60),
    ):
        points[:, skeleton.index(name), :2] = (x, y)
    for name in ("nose", "left_eye", "right_eye"):
        points[:, skeleton.index(name), 2] = face
    return points


@pytest.mark.parametrize("skeleton", [MEDIAPIPE, COCO])
def test_signals_derived_by_hand(skeleton):
    span, face = orientation_signals(person(skeleton, 20, 0.9), skeleton)
    # torso: shoulder centre (50, 20) to hip centre (50, 60) = 40 px; span 20 / 40
    assert span[0] == pytest.approx(0.5) and face[0] == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("dx", "face", "label", "confidence"),
    [
        (28, 0.9, FRONTAL, (0.9 - 0.5) / 0.5),  # span 0.7 (margin 1), face 0.9 (margin 0.8): the weaker
        (20, 0.9, FRONTAL, (0.5 - 0.35) / 0.35),  # span 0.5
        (20, 0.6, FRONTAL, (0.6 - 0.5) / 0.5),  # the face margin decides: 0.2
        (8, 0.9, SIDE, (0.35 - 0.2) / 0.35),  # span 0.2
        (-20, 0.9, BACK, (0.5 - 0.35) / 0.35),  # left shoulder on the image's left: seen from behind
        (20, 0.1, BACK, (0.5 - 0.35) / 0.35),  # sides labelled as if frontal, but no face: behind
    ],
)
def test_labels_and_confidence(dx, face, label, confidence):
    labels, conf = body_orientation(person(MEDIAPIPE, dx, face), np.ones(1, bool), MEDIAPIPE)
    assert labels[0] == label
    assert conf[0] == pytest.approx(min(1.0, confidence), abs=1e-6)


def test_undetected_frames_are_unknown():
    labels, conf = body_orientation(person(MEDIAPIPE, 20, 0.9, frames=3), np.array([True, False, True]), MEDIAPIPE)
    assert labels.tolist() == [FRONTAL, UNKNOWN, FRONTAL] and conf[1] == 0


def test_runs():
    labels = np.array([1, 1, 0, 1, 1, 1, 2, 1, 1, 1])
    assert runs_of(labels) == [(0, 2), (3, 6), (7, 10)]
    assert longest_run(labels) == (3, 6)  # the first of equals
    assert frontal_runs(labels, 3) == [(3, 6), (7, 10)]
    assert longest_run(np.array([2, 2])) == (0, 0)


@pytest.fixture(scope="module")
def real_person(vivid_samples: Path) -> np.ndarray:
    return decode_video(vivid_samples / "videos" / "upper1.mp4", size=(416, 312))


def labels_of(frames: np.ndarray) -> np.ndarray:
    """As the pose stage stores them: both tracking directions, gaps filled, smoothed."""
    track = MediapipePose()(frames)
    keypoints, detected = fill_gaps(track.keypoints, track.detected, 4)
    labels, _ = body_orientation(smooth_tracks(keypoints, detected, 7), detected, track.skeleton)
    return labels


def test_the_real_sample_turns_from_profile_to_the_camera(real_person: np.ndarray):
    """upper1.mp4, looked at frame by frame: in profile up to frame 8, turning until about 15, then frontal."""
    labels = labels_of(real_person)
    assert (labels[:9] == SIDE).all() and (labels[16:] == FRONTAL).all()
    start, end = longest_run(labels)
    assert end == 48 and start <= 16
    # played backwards, the same person turns away: the same labels, reversed
    backwards = labels_of(np.ascontiguousarray(real_person[::-1]))
    assert (backwards[-9:] == SIDE).all() and (backwards[:32] == FRONTAL).all()


def test_a_mirrored_video_keeps_its_orientation(real_person: np.ndarray):
    """Mirroring swaps where the shoulders appear, and the pose model swaps its sides with them."""
    labels = labels_of(np.ascontiguousarray(real_person[:, :, ::-1]))
    assert (labels[:9] == SIDE).all() and (labels[16:] == FRONTAL).all()
