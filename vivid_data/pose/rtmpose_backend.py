"""Pose backend ``rtmpose``: RTMPose / DWPose ONNX models through onnxruntime, from a local file.

Top-down: each frame is cropped to the person box (the whole frame for these single-person
videos, or the box of the previous frame's keypoints), warped to the model's input size
(192x256 for RTMPose-m/DWPose), normalised with ImageNet mean and std in RGB, and the SimCC
outputs (``simcc_x`` of width 2*W, ``simcc_y`` of height 2*H) are decoded by argmax and mapped
back to the frame. The first 17 keypoints follow COCO; DWPose's 133 add feet, face and hands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.pose.result import PoseTrack
from vivid_data.pose.skeleton import COCO
from vivid_data.video.frames import Frames, as_frames

MEAN = np.array([123.675, 116.28, 103.53], np.float32)
STD = np.array([58.395, 57.12, 57.375], np.float32)
WHERE_TO_GET = (
    "RTMPose/DWPose ONNX files are published by OpenMMLab (mmpose, 'rtmpose-m ... .onnx' "
    "in the RTMPose model zoo) and by the DWPose authors ('dw-ll_ucoco_384.onnx'); download "
    "one and pass its path as pose.model_path"
)


class ModelFileError(FileNotFoundError):
    pass


def box_transform(box: tuple[float, float, float, float], size: tuple[int, int], padding: float = 1.25):
    """Affine matrix from the frame to the model input for a box (x0, y0, x1, y1), kept at the input aspect."""
    in_w, in_h = size
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = (x1 - x0) * padding, (y1 - y0) * padding
    aspect = in_w / in_h
    if w > h * aspect:
        h = w / aspect
    else:
        w = h * aspect
    scale = in_w / w
    return np.array([[scale, 0, in_w / 2 - scale * cx], [0, scale, in_h / 2 - scale * cy]], np.float32)


def decode_simcc(simcc_x: np.ndarray, simcc_y: np.ndarray, split_ratio: float = 2.0) -> np.ndarray:
    """(K, 3) in model-input pixels: argmax positions and the weaker of the two peak values."""
    x = simcc_x.argmax(axis=-1) / split_ratio
    y = simcc_y.argmax(axis=-1) / split_ratio
    score = np.minimum(simcc_x.max(axis=-1), simcc_y.max(axis=-1))
    return np.stack([x, y, np.clip(score, 0.0, 1.0)], axis=-1).astype(np.float32)


@dataclass
@defaults_from("pose/rtmpose.yaml", "backend")
class RtmPose:
    """The file is checked when the config is made (in the main process); the ONNX session is opened by
    :meth:`setup` in each worker, so the backend itself stays plain data that pickles."""

    model_path: str
    box: str = FROM_YAML  # previous | full_frame
    min_score: float = FROM_YAML
    threads: int = FROM_YAML
    device: str = FROM_YAML  # cpu | cuda (onnxruntime-gpu's CUDAExecutionProvider)

    def __post_init__(self) -> None:
        path = Path(self.model_path).expanduser()
        if not path.is_file():
            raise ModelFileError(f"{path}: RTMPose/DWPose ONNX model not found. {WHERE_TO_GET}")
        if self.box not in ("previous", "full_frame"):
            raise ValueError(f"pose.backend.box must be previous or full_frame, got {self.box!r}")
        self._session = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for key in ("_session", "_input_name", "_input_size"):
            state.pop(key, None)
        state["_session"] = None
        return state

    def setup(self) -> None:
        """Open the ONNX session (once per worker process)."""
        if self._session is not None:
            return
        path = Path(self.model_path).expanduser()
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        providers = (
            ["CUDAExecutionProvider", "CPUExecutionProvider"] if self.device == "cuda" else ["CPUExecutionProvider"]
        )
        session = onnxruntime.InferenceSession(str(path), options, providers=providers)
        self._session = session
        shape = session.get_inputs()[0].shape
        self._input_name = session.get_inputs()[0].name
        self._input_size = (int(shape[3]), int(shape[2]))  # (W, H)
        outputs = [o.name for o in session.get_outputs()]
        if len(outputs) != 2:
            raise ValueError(f"{path}: expected two SimCC outputs (simcc_x, simcc_y), found {outputs}")

    @property
    def input_size(self) -> tuple[int, int]:
        """(W, H) the model takes."""
        self.setup()
        return self._input_size

    def estimate(self, frame: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
        self.setup()
        matrix = box_transform(box, self._input_size)
        crop = cv2.warpAffine(frame, matrix, self._input_size, flags=cv2.INTER_LINEAR)
        tensor = ((crop.astype(np.float32) - MEAN) / STD).transpose(2, 0, 1)[None]
        assert self._session is not None, "setup() opens the session"
        simcc_x, simcc_y = self._session.run(None, {self._input_name: tensor})
        points = decode_simcc(simcc_x[0], simcc_y[0])
        inverse = cv2.invertAffineTransform(matrix)
        points[:, :2] = points[:, :2] @ inverse[:, :2].T + inverse[:, 2]
        return points

    def __call__(self, frames: np.ndarray | Frames) -> PoseTrack:
        source = as_frames(frames)
        count, height, width = source.count, source.height, source.width
        full = (0.0, 0.0, float(width), float(height))
        box = full
        keypoints, detected = [], np.zeros(count, bool)
        for t, frame in ((start + i, f) for start, chunk in source.chunks() for i, f in enumerate(chunk)):
            points = self.estimate(frame, box)
            keypoints.append(points)
            good = points[:17, 2] >= self.min_score
            detected[t] = good.sum() >= 6
            if self.box == "previous" and detected[t]:
                x0, y0 = points[:17][good, :2].min(axis=0)
                x1, y1 = points[:17][good, :2].max(axis=0)
                box = (max(0, x0), max(0, y0), min(width, x1), min(height, y1))
            else:
                box = full
        return PoseTrack(np.asarray(keypoints), detected, COCO, height, width)
