"""Temporal consistency: VBench temporal flickering and the warping error of Lai et al. (ECCV 2018).

Warping error, as Lai et al.'s published scripts compute it (``compute_flow_occlusion.py`` and
``evaluate_WarpError.py`` of fast_blind_video_consistency): optical flow on the reference video
(``flow.py``; Farneback by default, since FlowNet2 or RAFT weights cannot be assumed); a pixel
of frame t is not scored when the forward-backward check fails,
``|Ffw + Fbw'|^2 > 0.01 (|Ffw|^2 + |Fbw'|^2) + 0.5`` (``Fbw'``: the backward flow sampled along
the forward flow), or when it lies on a motion boundary of the *forward* flow,
``|grad Ffw|^2 > 0.01 |Ffw|^2 + 0.002`` with forward differences (``f[x] - f[x+1]``, zero in
the last row and column), Ruder et al.'s definition. Per frame pair,
``sum(M (W(O_{t+1}) - O_t)^2) / sum(M)`` over the 3-channel mask, i.e. averaged over RGB
channels in [0, 1]; 0 when no pixel is trusted; the video's value is the mean over pairs.
Frame pairs run in a thread pool (OpenCV and NumPy release the GIL on whole frames).

Both metrics take uint8 arrays (T, H, W, 3) as decoded, or tensors (T, 3, H, W) in [0, 1].
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import cv2
import numpy as np

from vivid_data.config_defaults import yaml_defaults
from vivid_eval.metrics.base import MetricUnavailable, VideoMetric, VideoSkipped
from vivid_eval.metrics.contract import as_video
from vivid_eval.metrics.flow import FlowConfig, RaftFlow, pair_flows

WORKERS = 2


class TooFewFrames(ValueError):
    """A video too short for the metric (one frame has no temporal behaviour)."""


def temporal_flicker(frames) -> float:
    """VBench: ``(255 - mean over t of mean |f_t - f_{t+1}|) / 255`` on uint8 frames (higher = steadier)."""
    frames = as_video(frames)
    if len(frames) < 2:
        raise TooFewFrames(f"temporal flicker needs at least two frames, got {len(frames)}")
    diffs = [cv2.absdiff(a, b).mean() for a, b in itertools.pairwise(frames)]
    return float((255.0 - np.mean(diffs)) / 255.0)


@lru_cache(maxsize=4)
def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return grid_x, grid_y


def warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``image`` at x + flow(x), bilinear, borders replicated."""
    grid_x, grid_y = _grid(*flow.shape[:2])
    return cv2.remap(
        image, grid_x + flow[..., 0], grid_y + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _forward_difference_squared(channel: np.ndarray) -> np.ndarray:
    """``du^2 + dv^2`` with Lai et al.'s forward differences ``f[x] - f[x+1]`` (0 in the last column / row)."""
    du = np.zeros_like(channel)
    dv = np.zeros_like(channel)
    du[:, :-1] = channel[:, :-1] - channel[:, 1:]
    dv[:-1] = channel[:-1] - channel[1:]
    return du * du + dv * dv


def occlusion_mask(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """True where a pixel of frame t is occluded or on a motion boundary (not to be scored), as
    ``detect_occlusion(bw_flow, fw_flow)`` in Lai et al.'s ``compute_flow_occlusion.py``."""
    back = warp(backward, forward)
    fx, fy, bx, by = forward[..., 0], forward[..., 1], back[..., 0], back[..., 1]
    sx, sy = fx + bx, fy + by
    forward_sq = fx * fx + fy * fy
    occluded = sx * sx + sy * sy > 0.01 * (forward_sq + bx * bx + by * by) + 0.5
    boundary = _forward_difference_squared(fx) + _forward_difference_squared(fy) > 0.01 * forward_sq + 0.002
    return occluded | boundary


def reference_flows(
    reference: np.ndarray, flow: FlowConfig = FlowConfig(), raft: RaftFlow | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(trusted-pixel mask, forward flow) per consecutive pair of the reference video."""
    reference = as_video(reference)
    if len(reference) < 2:
        raise TooFewFrames(f"the warping error needs at least two frames, got {len(reference)}")
    flows = pair_flows(reference, flow, raft)
    trusted = lambda fb: (~occlusion_mask(*fb), fb[0])  # noqa: E731
    with ThreadPoolExecutor(max(1, flow.workers)) as pool:
        return list(pool.map(trusted, flows))


def _pair_error(output: np.ndarray, t: int, mask: np.ndarray, forward: np.ndarray) -> float:
    current = output[t].astype(np.float32) / 255
    following = output[t + 1].astype(np.float32) / 255
    squared = ((warp(following, forward) - current) ** 2).sum(-1)
    trusted = mask.sum()
    # Lai et al. divide by the 3-channel mask's sum: the mean over RGB channels
    return float((squared * mask).sum() / (3 * trusted)) if trusted else 0.0


def warping_error(
    output, flows: list[tuple[np.ndarray, np.ndarray]], workers: int = WORKERS
) -> tuple[float, np.ndarray]:
    """Mean warping error of ``output`` (uint8 RGB frames, or a tensor in [0, 1]) under the reference's
    flows (:func:`reference_flows`), and per pair."""
    output = as_video(output)
    if len(output) < 2:
        raise TooFewFrames(f"the warping error needs at least two frames, got {len(output)}")
    if len(flows) != len(output) - 1:
        raise ValueError(f"{len(flows)} flows for {len(output)} frames")
    with ThreadPoolExecutor(max(1, workers)) as pool:
        values = list(pool.map(lambda t: _pair_error(output, t, *flows[t]), range(len(flows))))
    return float(np.mean(values)), np.asarray(values)


class TemporalFlicker(VideoMetric):
    """VBench flicker of the prediction and of the reference; ranked on their absolute difference."""

    name = "flicker"
    label = "flicker diff"
    higher_is_better = False
    columns = ("flicker_diff", "flicker_prediction", "flicker_reference")

    def score(self, prediction, reference) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        try:
            ours, theirs = temporal_flicker(prediction), temporal_flicker(reference)
        except TooFewFrames as exc:
            raise VideoSkipped(str(exc)) from exc
        return {"flicker_diff": abs(ours - theirs), "flicker_prediction": ours, "flicker_reference": theirs}, {}


#: defaults: conf/metric/warp.yaml
WARP_DEFAULTS = yaml_defaults("metric/warp.yaml")


class WarpingError(VideoMetric):
    """Lai et al.'s warping error of the prediction and of the reference, under the reference's flow; ranked on
    their absolute difference (a blurred copy warps better than the ground truth itself: the raw value has no
    reference), as the flicker is."""

    name = "warp"
    label = "warp diff"
    higher_is_better = False
    columns = ("warp_diff", "warp_prediction", "warp_reference")

    def __init__(
        self,
        method: str = WARP_DEFAULTS["method"],
        raft_variant: str = WARP_DEFAULTS["raft_variant"],
        raft_checkpoint: str | None = WARP_DEFAULTS["raft_checkpoint"],
        workers: int = WARP_DEFAULTS["workers"],
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.flow = FlowConfig(method, raft_variant, raft_checkpoint, workers)
        self.raft: RaftFlow | None = None

    @property
    def weights(self) -> tuple[str, ...]:  # type: ignore[override]
        return (
            (f"raft_{self.flow.raft_variant}",) if self.flow.method == "raft" and not self.flow.raft_checkpoint else ()
        )

    def setup(self, device: str = "cpu", protocol=None) -> WarpingError:
        super().setup(device, protocol)
        self.flow = FlowConfig(
            self.flow.method, self.flow.raft_variant, self.flow.raft_checkpoint, self.flow.workers, device
        )
        if self.flow.method == "raft" and self.raft is None:
            from vivid_data.weights import WeightsUnavailable
            from vivid_eval.metrics.flow import load_raft
            from vivid_eval.networks.checkpoints import CheckpointError

            try:
                self.raft = RaftFlow(load_raft(self.flow.raft_variant, self.flow.raft_checkpoint), device)
            except (WeightsUnavailable, CheckpointError, FileNotFoundError) as exc:
                raise MetricUnavailable(str(exc)) from exc
        return self

    def describe(self) -> dict:
        return {
            "flow": self.flow.record(),
            "definition": "Lai et al. 2018 (forward-difference motion boundaries, mean over RGB)",
        }

    def score(self, prediction, reference) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        try:
            flows = reference_flows(reference, self.flow, self.raft)
            ours = warping_error(prediction, flows, self.flow.workers)[0]
            theirs = warping_error(reference, flows, self.flow.workers)[0]
        except TooFewFrames as exc:
            raise VideoSkipped(str(exc)) from exc
        return {"warp_diff": abs(ours - theirs), "warp_prediction": ours, "warp_reference": theirs}, {}
