"""Garment masks for product shots: the garment is what is not the plain backdrop.

A colour model of the image border (product photos are shot on a plain backdrop) marks
backdrop-coloured pixels; only those connected to the border count as background, so white
prints or linings inside the garment stay in. The largest foreground component is kept, its
holes are filled, and GrabCut refines the edge from that starting point.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vivid_data.config_defaults import FROM_YAML, defaults_from


@dataclass
@defaults_from("parse/default.yaml", "garment")
class GarmentMaskConfig:
    border: float = FROM_YAML  # border band used for the backdrop colour, share of the shorter side
    tolerance: float = FROM_YAML  # minimum Lab distance from the backdrop colour to count as garment
    spread: float = FROM_YAML  # ... or this many times the border's own spread, if larger
    grabcut_iterations: int = FROM_YAML  # 0 disables the GrabCut refinement
    work_side: int = FROM_YAML  # longer side of the working resolution


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    inverse = (~mask).astype(np.uint8)
    _count, labels = cv2.connectedComponents(inverse, connectivity=4)
    border_labels = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])))
    holes = ~np.isin(labels, list(border_labels)) & (inverse > 0)
    return mask | holes


def _largest_component(mask: np.ndarray) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return mask
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == largest


def garment_mask(image: np.ndarray, config: GarmentMaskConfig = GarmentMaskConfig()) -> np.ndarray:
    """Mask (H, W) bool of the garment in a product image (uint8 RGB)."""
    height, width = image.shape[:2]
    scale = min(1.0, config.work_side / max(height, width))
    small = cv2.resize(image, (max(1, int(width * scale)), max(1, int(height * scale))), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    h, w = lab.shape[:2]
    band = max(1, int(round(min(h, w) * config.border)))
    border = np.concatenate(
        [
            lab[:band].reshape(-1, 3),
            lab[-band:].reshape(-1, 3),
            lab[:, :band].reshape(-1, 3),
            lab[:, -band:].reshape(-1, 3),
        ]
    )
    backdrop = np.median(border, axis=0)
    border_distance = np.linalg.norm(border - backdrop, axis=1)
    threshold = max(config.tolerance, config.spread * float(np.median(border_distance)) * 1.4826)
    distance = np.linalg.norm(lab - backdrop, axis=2)
    like_backdrop = (distance <= threshold).astype(np.uint8)
    _count, labels = cv2.connectedComponents(like_backdrop, connectivity=4)
    touching = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))) - {0}
    background = np.isin(labels, list(touching)) & (like_backdrop > 0)
    foreground = ~background
    foreground = cv2.morphologyEx(foreground.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    foreground = _fill_holes(_largest_component(foreground))
    if config.grabcut_iterations and foreground.any() and not foreground.all():
        foreground = _refine(small, foreground, config.grabcut_iterations)
    return cv2.resize(foreground.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0


def _refine(image: np.ndarray, foreground: np.ndarray, iterations: int) -> np.ndarray:
    """GrabCut seeded with a sure core (eroded mask), a sure outside (dilated complement), unsure between."""
    kernel = np.ones((7, 7), np.uint8)
    sure = cv2.erode(foreground.astype(np.uint8), kernel) > 0
    maybe = cv2.dilate(foreground.astype(np.uint8), kernel) > 0
    seeds = np.full(foreground.shape, cv2.GC_BGD, np.uint8)
    seeds[maybe] = cv2.GC_PR_BGD
    seeds[foreground] = cv2.GC_PR_FGD
    seeds[sure] = cv2.GC_FGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    # OpenCV's stubs require a rectangle, which GC_INIT_WITH_MASK ignores (None is what its docs pass)
    cv2.grabCut(bgr, seeds, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    refined = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
    return _fill_holes(_largest_component(refined))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0
