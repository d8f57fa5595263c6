import numpy as np

from vivid_data.pose.smoothing import fill_gaps, jitter, smooth_tracks


def track(values: list[float]) -> np.ndarray:
    keypoints = np.zeros((len(values), 1, 3), np.float32)
    keypoints[:, 0, 0] = values
    keypoints[:, 0, 2] = 1.0
    return keypoints


def test_fill_short_gaps_only():
    keypoints = track([0, 1, 0, 0, 4, 5, 0, 0, 0, 0, 0, 11])
    detected = np.array([0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1], bool)
    filled, flags = fill_gaps(keypoints, detected, max_gap=2)
    assert flags.tolist() == [False, True, True, True, True, True, False, False, False, False, False, True]
    np.testing.assert_allclose(filled[1:5, 0, 0], [1, 2, 3, 4])


def test_smoothing_reduces_jitter_on_a_real_clip(upper1_track):
    keypoints, detected = fill_gaps(upper1_track.keypoints, upper1_track.detected, 4)
    raw = jitter(keypoints, detected)
    smoothed = jitter(smooth_tracks(keypoints, detected), detected)
    assert smoothed < 0.6 * raw
    # and the smoothed track stays close to the detections (no lag or drift)
    moved = np.abs(smooth_tracks(keypoints, detected)[detected, :, :2] - keypoints[detected, :, :2])
    assert np.median(moved) < 3.0


def test_smoothing_keeps_a_straight_motion():
    keypoints = track(list(range(20)))
    detected = np.ones(20, bool)
    np.testing.assert_allclose(smooth_tracks(keypoints, detected)[:, 0, 0], np.arange(20), atol=1e-4)
    assert jitter(keypoints, detected) == 0.0
