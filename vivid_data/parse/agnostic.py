"""Agnostic masks from keypoints and person segmentation: the region a garment of a category covers.

The mask is deliberately generous (as ViViD's released masks are): a hull over the body parts
the garment covers, grown by a margin that scales with the body (the shoulder width), united
with the person's silhouette in the same band, minus the parts the garment leaves bare (head,
hands, feet). Keypoints are smoothed before, and masks are smoothed over time after, so the
mask does not flicker.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.pose.skeleton import MEDIAPIPE, Skeleton

CATEGORY_PARTS = {
    # (upper bound, lower bound) of the covered band, as landmark names
    "upper_body": ("shoulder", "hip"),
    "lower_body": ("hip", "ankle"),
    "dresses": ("shoulder", "knee"),
}


@dataclass
@defaults_from("parse/default.yaml", "agnostic")
class AgnosticConfig:
    margin: float = FROM_YAML  # dilation, as a share of the shoulder width
    arm_width: float = FROM_YAML  # arm band thickness, as a share of the shoulder width
    leg_width: float = FROM_YAML  # leg band thickness, as a share of the hip width * 2
    neckline: float = FROM_YAML  # how far above the shoulders the neckline goes, share of shoulder-nose height
    head_scale: float = FROM_YAML  # protected head ellipse, relative to the ear-to-ear distance
    hand_scale: float = FROM_YAML  # protected hand disc radius, share of the shoulder width
    dress_to_ankle: bool = FROM_YAML  # long dresses: down to the ankles instead of the knees
    temporal_window: int = FROM_YAML  # frames averaged when smoothing masks over time
    work_height: int = FROM_YAML  # masks are drawn at this height, then scaled up (they are generous anyway)
    min_visibility: float = 0.3


FALLBACKS = {  # for skeletons without hand and foot points (COCO): use the wrist and the ankle
    "left_index": "left_wrist",
    "right_index": "right_wrist",
    "left_pinky": "left_wrist",
    "right_pinky": "right_wrist",
    "left_heel": "left_ankle",
    "right_heel": "right_ankle",
    "left_foot_index": "left_ankle",
    "right_foot_index": "right_ankle",
}
NEEDED = (
    "nose",
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
    *FALLBACKS,
)


def named_points(keypoints: np.ndarray, skeleton: Skeleton) -> dict[str, np.ndarray]:
    """The landmarks the masks use, by name, from any supported skeleton."""
    points = {}
    for name in NEEDED:
        source = name if name in skeleton.names else FALLBACKS.get(name, name)
        points[name] = keypoints[skeleton.index(source), :2].astype(np.float32)
    return points


def _thick_line(mask: np.ndarray, a: np.ndarray, b: np.ndarray, width: float) -> None:
    cv2.line(mask, tuple(int(v) for v in a), tuple(int(v) for v in b), 1, max(1, int(width)), cv2.LINE_8)
    for p in (a, b):
        cv2.circle(mask, tuple(int(v) for v in p), max(1, int(width / 2)), 1, -1)


def frame_mask(
    keypoints: np.ndarray,
    person: np.ndarray | None,
    category: str,
    height: int,
    width: int,
    config: AgnosticConfig = AgnosticConfig(),
    skeleton: Skeleton = MEDIAPIPE,
) -> np.ndarray:
    """Agnostic mask (H, W) bool for one frame."""
    if category not in CATEGORY_PARTS:
        raise ValueError(f"unknown category {category!r}")
    p = named_points(keypoints, skeleton)
    shoulder_w = float(np.linalg.norm(p["left_shoulder"] - p["right_shoulder"])) or 1.0
    hip_w = float(np.linalg.norm(p["left_hip"] - p["right_hip"])) or shoulder_w / 2
    mask = np.zeros((height, width), np.uint8)
    hull_points = []
    if category in ("upper_body", "dresses"):
        neck_mid = (p["left_shoulder"] + p["right_shoulder"]) / 2
        neck_top = neck_mid + config.neckline * (p["nose"] - neck_mid)
        torso = [p["left_shoulder"], p["right_shoulder"], p["right_hip"], p["left_hip"], neck_top]
        hull_points += torso
        for side in ("left", "right"):
            _thick_line(mask, p[f"{side}_shoulder"], p[f"{side}_elbow"], config.arm_width * shoulder_w)
            _thick_line(mask, p[f"{side}_elbow"], p[f"{side}_wrist"], config.arm_width * shoulder_w * 0.8)
    if category in ("lower_body", "dresses"):
        bottom = "ankle" if (category == "lower_body" or config.dress_to_ankle) else "knee"
        hull_points += [p["left_hip"], p["right_hip"], p[f"left_{bottom}"], p[f"right_{bottom}"]]
        for side in ("left", "right"):
            _thick_line(mask, p[f"{side}_hip"], p[f"{side}_knee"], config.leg_width * hip_w * 2)
            if bottom == "ankle":
                _thick_line(mask, p[f"{side}_knee"], p[f"{side}_ankle"], config.leg_width * hip_w * 1.6)
    hull = cv2.convexHull(np.asarray(hull_points, np.float32).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1)
    if person is not None:
        top = min(pt[1] for pt in hull_points)
        low = max(pt[1] for pt in hull_points)
        band = np.zeros_like(mask)
        band[int(max(top, 0)) : int(max(low, 0)) + 1] = 1
        mask |= person.astype(np.uint8) & band
    margin = max(1, int(round(config.margin * shoulder_w)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    mask = np.asarray(cv2.dilate(mask, kernel), np.uint8)
    _protect(mask, p, category, shoulder_w, config)
    return mask.astype(bool)


def _protect(mask: np.ndarray, p: dict, category: str, shoulder_w: float, config: AgnosticConfig) -> None:
    """Clear what the garment does not cover: the head always, hands for tops, feet for bottoms."""
    ear_w = float(np.linalg.norm(p["left_ear"] - p["right_ear"])) or shoulder_w / 2
    centre = (p["left_ear"] + p["right_ear"] + p["nose"]) / 3
    axes = (int(config.head_scale * ear_w * 0.75), int(config.head_scale * ear_w))
    cv2.ellipse(mask, tuple(int(v) for v in centre), axes, 0, 0, 360, 0, -1)
    radius = int(config.hand_scale * shoulder_w)
    if category in ("upper_body", "dresses"):
        for side in ("left", "right"):
            hand = (p[f"{side}_index"] + p[f"{side}_pinky"] + p[f"{side}_wrist"]) / 3
            cv2.circle(mask, tuple(int(v) for v in hand), radius, 0, -1)
    if category in ("lower_body", "dresses"):
        for side in ("left", "right"):
            foot = (p[f"{side}_heel"] + p[f"{side}_foot_index"]) / 2
            cv2.circle(mask, tuple(int(v) for v in foot), radius, 0, -1)


def smooth_masks(masks: np.ndarray, window: int) -> np.ndarray:
    """Temporal majority over a centred window: a pixel stays in the mask if most neighbours agree."""
    if window <= 1 or len(masks) < 2:
        return masks
    counts = np.cumsum(np.concatenate([np.zeros((1, *masks.shape[1:]), np.int32), masks.astype(np.int32)]), axis=0)
    half = window // 2
    out = np.empty_like(masks)
    for t in range(len(masks)):
        a, b = max(0, t - half), min(len(masks), t + half + 1)
        out[t] = (counts[b] - counts[a]) * 2 > (b - a)
    return out


def work_size(height: int, width: int, config: AgnosticConfig = AgnosticConfig()) -> tuple[int, int]:
    """(h, w) the masks are drawn at: ``config.work_height`` rows at the frame's aspect, never larger."""
    scale = min(1.0, config.work_height / height)
    return max(1, int(round(height * scale))), max(1, int(round(width * scale)))


def small_video_masks(
    keypoints: np.ndarray,
    detected: np.ndarray,
    persons: np.ndarray | None,
    category: str,
    height: int,
    width: int,
    config: AgnosticConfig = AgnosticConfig(),
    skeleton: Skeleton = MEDIAPIPE,
) -> np.ndarray:
    """Masks for every frame at :func:`work_size`, smoothed over time; frames without keypoints reuse the
    nearest frame that has them. ``persons`` (person masks of any size, or None) joins the silhouette."""
    small_h, small_w = work_size(height, width, config)
    have = np.flatnonzero(detected)
    if have.size == 0:
        return np.zeros((len(keypoints), small_h, small_w), bool)
    scaled = keypoints.copy()
    scaled[..., :2] *= np.array([small_w / width, small_h / height], np.float32)
    small = np.zeros((len(keypoints), small_h, small_w), bool)
    for t in range(len(keypoints)):
        source = have[np.abs(have - t).argmin()]
        person = None
        if persons is not None:
            person = cv2.resize(persons[source].astype(np.uint8), (small_w, small_h), interpolation=cv2.INTER_NEAREST)
        small[t] = frame_mask(scaled[source], person, category, small_h, small_w, config, skeleton)
    return smooth_masks(small, config.temporal_window)


def upscale(small: np.ndarray, height: int, width: int) -> np.ndarray:
    """A work-size mask at the frame size: linear interpolation and a 0.5 threshold."""
    if small.shape == (height, width):
        return small
    return cv2.resize(small.astype(np.uint8) * 255, (width, height), interpolation=cv2.INTER_LINEAR) > 127


def video_masks(
    keypoints: np.ndarray,
    detected: np.ndarray,
    persons: np.ndarray | None,
    category: str,
    height: int,
    width: int,
    config: AgnosticConfig = AgnosticConfig(),
    skeleton: Skeleton = MEDIAPIPE,
) -> np.ndarray:
    """Masks for every frame at the frame size (:func:`small_video_masks`, scaled up)."""
    small = small_video_masks(keypoints, detected, persons, category, height, width, config, skeleton)
    return np.stack([upscale(m, height, width) for m in small])


def mask_flicker(masks) -> float:
    """Mean IoU between consecutive masks (1.0 = perfectly stable); masks may be any iterable of frames."""
    ious, previous = [], None
    for mask in masks:
        if previous is not None:
            union = np.logical_or(previous, mask).sum()
            ious.append(np.logical_and(previous, mask).sum() / union if union else 1.0)
        previous = mask
    return float(np.mean(ious)) if ious else 1.0


def agnostic_frames(frames: np.ndarray, masks: np.ndarray, fill: int = 128) -> np.ndarray:
    """The video with the masked region filled grey, as ViViD's released agnostic videos."""
    out = frames.copy()
    out[masks] = fill
    return out
