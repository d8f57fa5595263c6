"""RTMPose with a small ONNX model that has the real model's signature and known peaks."""

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from vivid_data.pose.rtmpose_backend import ModelFileError, RtmPose, box_transform, decode_simcc

K, H, W = 17, 256, 192


def write_model(path: Path, peaks_x: np.ndarray, peaks_y: np.ndarray) -> Path:
    """Outputs simcc_x (1, K, 2W) and simcc_y (1, K, 2H) peaking at the given SimCC bins, plus
    a term from the input (0 * mean), so onnxruntime runs a real graph over the real input."""
    simcc_x = np.full((1, K, 2 * W), 0.01, np.float32)
    simcc_y = np.full((1, K, 2 * H), 0.01, np.float32)
    simcc_x[0, np.arange(K), peaks_x] = 0.9
    simcc_y[0, np.arange(K), peaks_y] = 0.8
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["base_x", "nothing"], ["simcc_x"]),
        helper.make_node("Add", ["base_y", "nothing"], ["simcc_y"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_rtmpose",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, H, W])],
        [helper.make_tensor_value_info("simcc_x", TensorProto.FLOAT, [1, K, 2 * W]),
         helper.make_tensor_value_info("simcc_y", TensorProto.FLOAT, [1, K, 2 * H])],
        [numpy_helper.from_array(simcc_x, "base_x"), numpy_helper.from_array(simcc_y, "base_y"),
         numpy_helper.from_array(np.zeros((), np.float32), "zero")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


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
