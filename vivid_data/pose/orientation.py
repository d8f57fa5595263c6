"""Which way the person faces in each frame (frontal / side / back), from the pose keypoints.

Curated test sets keep frontal footage (CatV2TON's ViViD-S: more than 24 consecutive frontal
frames, by a classifier that was not published; DPIDM drops back-facing clips). We derive the
orientation from keypoints the pose stage already has, with two signals:

- the signed shoulder span: (x of the left shoulder - x of the right shoulder) over the torso
  length (shoulder centre to hip centre). A person facing the camera has their left shoulder on
  the image's right, so the span is positive; turned sideways it shrinks towards 0; seen from
  behind it is negative, if the pose model labels the sides by anatomy;
- face visibility: the mean visibility of the nose and eyes. Pose models often keep the sides of
  a person seen from behind labelled as if they faced the camera; the face is what they cannot
  see then.

A frame is ``side`` when the shoulder span is under ``side_span`` of the torso length, ``back``
when the span is negative or the face is not visible, else ``frontal``. The confidence is how far
the deciding signals are from their thresholds, relative to the threshold (0 on it, clipped at
1); where both signals decide (frontal, or back for want of a face), the weaker one.
Frames without a detected person are ``unknown``.
"""

from __future__ import annotations

import numpy as np

from vivid_data.frame_runs import runs_where
from vivid_data.pose.skeleton import Skeleton

UNKNOWN, FRONTAL, SIDE, BACK = 0, 1, 2, 3
LABELS = ("unknown", "frontal", "side", "back")
#: names the rule and its thresholds; part of the pose stage's config hash
ORIENTATION_RULE = "shoulder span < 0.35 torso: side; span < 0 or face visibility < 0.5: back; else frontal"
#: the keypoints the signals use, by name in both skeletons
FACE = ("nose", "left_eye", "right_eye")


def _centre(keypoints: np.ndarray, skeleton: Skeleton, left: str, right: str) -> np.ndarray:
    return (keypoints[:, skeleton.index(left), :2] + keypoints[:, skeleton.index(right), :2]) / 2


def orientation_signals(keypoints: np.ndarray, skeleton: Skeleton) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the signed shoulder span over the torso length, and the face visibility in [0, 1]."""
    keypoints = np.asarray(keypoints, dtype=np.float64)
    left, right = keypoints[:, skeleton.index("left_shoulder")], keypoints[:, skeleton.index("right_shoulder")]
    torso = np.linalg.norm(
        _centre(keypoints, skeleton, "left_shoulder", "right_shoulder")
        - _centre(keypoints, skeleton, "left_hip", "right_hip"),
        axis=1,
    )
    span = (left[:, 0] - right[:, 0]) / np.maximum(torso, 1e-6)
    face = keypoints[:, [skeleton.index(name) for name in FACE], 2].mean(axis=1)
    return span, face


def body_orientation(
    keypoints: np.ndarray,
    detected: np.ndarray,
    skeleton: Skeleton,
    side_span: float = 0.35,
    face_visible: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the orientation code (``LABELS``) as int8 and its confidence in [0, 1] as float32."""
    span, face = orientation_signals(keypoints, skeleton)
    labels = np.full(len(span), FRONTAL, np.int8)
    side = np.abs(span) < side_span
    back = ~side & ((span < 0) | (face < face_visible))
    labels[side], labels[back] = SIDE, BACK
    span_margin = np.abs(np.abs(span) - side_span) / side_span
    face_margin = np.abs(face - face_visible) / face_visible
    confidence = np.where(
        side,
        span_margin,
        np.where(span < 0, span_margin, np.minimum(span_margin, face_margin)),
    )
    detected = np.asarray(detected, dtype=bool)
    labels[~detected] = UNKNOWN
    confidence = np.where(detected, np.clip(confidence, 0.0, 1.0), 0.0)
    return labels, confidence.astype(np.float32)


def runs_of(labels: np.ndarray, code: int = FRONTAL) -> list[tuple[int, int]]:
    """[start, end) of every run of consecutive frames labelled ``code``."""
    return runs_where(np.asarray(labels) == code)


def longest_run(labels: np.ndarray, code: int = FRONTAL) -> tuple[int, int]:
    """[start, end) of the longest run of frames labelled ``code`` (the first of equals; (0, 0) when none)."""
    return max(runs_of(labels, code), key=lambda run: run[1] - run[0], default=(0, 0))


def frontal_runs(labels: np.ndarray, min_frames: int) -> list[tuple[int, int]]:
    """[start, end) of every run of at least ``min_frames`` consecutive frontal frames."""
    return [run for run in runs_of(labels, FRONTAL) if run[1] - run[0] >= min_frames]
