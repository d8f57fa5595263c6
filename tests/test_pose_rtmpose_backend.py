"""RTMPose with a small ONNX model that has the real model's signature and known peaks."""

from pathlib import Path

import numpy as np
import pytest
from tinymodels import H, K, W, standing_person_model, write_rtmpose_model

from vivid_data.pose.rtmpose_backend import ModelFileError, RtmPose, box_transform, decode_simcc

write_model = write_rtmpose_model


def test_decode_simcc():
    x = np.zeros((2, 10))
    y = np.zeros((2, 8))
    x[0, 4], x[1, 9], y[0, 2], y[1, 7] = 0.9, 0.5, 0.7, 0.6
    np.testing.assert_allclose(decode_simcc(x, y), [[2.0, 1.0, 0.7], [4.5, 3.5, 0.5]])


def test_keypoints_map_back_to_the_frame(tmp_path: Path):
    # model-input positions (x, y) = (96, 128) (the centre) for all keypoints but one
    peaks_x = np.full(K, 2 * 96)
    peaks_y = np.full(K, 2 * 128)
    peaks_x[0], peaks_y[0] = 0, 0  # keypoint 0 at the input's top-left corner
    model = RtmPose(str(write_model(tmp_path / "tiny.onnx", peaks_x, peaks_y)), box="full_frame")
    assert model.input_size == (W, H)
    frames = np.zeros((3, 600, 300, 3), np.uint8)
    track = model(frames)
    assert track.keypoints.shape == (3, K, 3) and track.detected.all() and track.skeleton.name == "coco_17"
    np.testing.assert_allclose(track.keypoints[0, 1, :2], [150, 300], atol=1.0)  # frame centre
    # the corner maps through the padded (1.25) box kept at the model's 3:4 aspect
    matrix = box_transform((0, 0, 300, 600), (W, H))
    corner = np.linalg.solve(matrix[:, :2], -matrix[:, 2])
    np.testing.assert_allclose(track.keypoints[0, 0, :2], corner, atol=1.0)
    assert track.keypoints[0, 0, 2] == pytest.approx(0.8)


def test_missing_model_names_path_and_source(tmp_path: Path):
    with pytest.raises(ModelFileError, match=r"absent\.onnx.*OpenMMLab"):
        RtmPose(str(tmp_path / "absent.onnx"))


def test_the_backend_pickles_and_opens_its_session_in_setup(tmp_path: Path):
    import pickle

    model = RtmPose(str(standing_person_model(tmp_path / "m.onnx")), box="full_frame")
    assert model._session is None  # nothing opened in the main process
    copy = pickle.loads(pickle.dumps(model))
    copy.setup()
    assert copy._session is not None
    again = pickle.loads(pickle.dumps(copy))  # an open session never travels
    assert again._session is None and again(np.zeros((2, 64, 48, 3), np.uint8)).detected.all()
