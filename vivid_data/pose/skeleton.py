"""Skeleton definitions (MediaPipe's 33 landmarks, COCO's 17) and the coloured rendering on black."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MEDIAPIPE_NAMES = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
MEDIAPIPE_EDGES = (
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 7),
    (0, 4),
    (4, 5),
    (5, 6),
    (6, 8),
    (9, 10),
    (11, 12),
    (11, 13),
    (13, 15),
    (15, 17),
    (15, 19),
    (15, 21),
    (17, 19),
    (12, 14),
    (14, 16),
    (16, 18),
    (16, 20),
    (16, 22),
    (18, 20),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (24, 26),
    (25, 27),
    (26, 28),
    (27, 29),
    (28, 30),
    (29, 31),
    (30, 32),
    (27, 31),
    (28, 32),
)
COCO_NAMES = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
COCO_EDGES = (
    (15, 13),
    (13, 11),
    (16, 14),
    (14, 12),
    (11, 12),
    (5, 11),
    (6, 12),
    (5, 6),
    (5, 7),
    (6, 8),
    (7, 9),
    (8, 10),
    (1, 2),
    (0, 1),
    (0, 2),
    (1, 3),
    (2, 4),
    (3, 5),
    (4, 6),
)


@dataclass(frozen=True)
class Skeleton:
    name: str
    names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]

    def index(self, name: str) -> int:
        return self.names.index(name)


MEDIAPIPE = Skeleton("mediapipe_pose_33", MEDIAPIPE_NAMES, MEDIAPIPE_EDGES)
COCO = Skeleton("coco_17", COCO_NAMES, COCO_EDGES)
SKELETONS = {s.name: s for s in (MEDIAPIPE, COCO)}


def edge_colours(count: int) -> np.ndarray:
    """Distinct saturated colours around the hue circle, like OpenPose/DWPose renderings."""
    hues = np.linspace(0, 179, num=max(count, 1), endpoint=False).astype(np.uint8)
    hsv = np.stack([hues, np.full_like(hues, 255), np.full_like(hues, 255)], -1)[None]
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0]


def render_pose(
    keypoints: np.ndarray, skeleton: Skeleton, height: int, width: int, min_visibility: float = 0.3
) -> np.ndarray:
    """One frame: coloured limbs and white joints on black. ``keypoints`` is (K, 3): x, y (pixels), visibility."""
    canvas = np.zeros((height, width, 3), np.uint8)
    thickness = max(2, int(round(min(height, width) / 120)))
    colours = edge_colours(len(skeleton.edges))
    for (a, b), colour in zip(skeleton.edges, colours):
        if keypoints[a, 2] >= min_visibility and keypoints[b, 2] >= min_visibility:
            pa = tuple(int(round(v)) for v in keypoints[a, :2])
            pb = tuple(int(round(v)) for v in keypoints[b, :2])
            cv2.line(canvas, pa, pb, tuple(int(c) for c in colour), thickness, cv2.LINE_AA)
    for x, y, visibility in keypoints:
        if visibility >= min_visibility:
            cv2.circle(canvas, (int(round(x)), int(round(y))), thickness + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return canvas
