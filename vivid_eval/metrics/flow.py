"""Optical flow between consecutive frames, for the warping error.

``farneback`` (OpenCV) is the default because no learned flow weights can be assumed here;
``dis`` (OpenCV's DIS, medium preset, Kroeger et al. 2016) is a faster alternative whose flows
are noisier in flat regions (on the real sample 70% of pixels pass the forward-backward check
against 87% with Farneback, so its numbers differ); ``raft`` runs torchvision's RAFT from a
local checkpoint (``raft_large`` or ``raft_small`` in the weights registry, or any
path). OpenCV estimators run frame pairs in a thread pool: OpenCV releases the GIL and its
flow code uses about one core.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

METHODS = ("dis", "farneback", "raft")
RAFT_VARIANTS = ("large", "small")


@dataclass(frozen=True)
class FlowConfig:
    method: str = "farneback"
    raft_variant: str = "large"
    raft_checkpoint: str | None = None  # a path; None: the registry's raft_<variant> file
    workers: int = 2  # threads over frame pairs (OpenCV methods)
    device: str = "cpu"  # RAFT only

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"flow method must be one of {METHODS}, got {self.method!r}")
        if self.raft_variant not in RAFT_VARIANTS:
            raise ValueError(f"raft_variant must be one of {RAFT_VARIANTS}, got {self.raft_variant!r}")

    def record(self) -> dict:
        """What changes a warping-error number (workers and device do not)."""
        out = {"method": self.method}
        if self.method == "raft":
            out["raft_variant"] = self.raft_variant
        return out


def _grey(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def farneback(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense flow (H, W, 2) float32 from uint8 RGB frame a to frame b."""
    return cv2.calcOpticalFlowFarneback(
        _grey(a), _grey(b), None, pyr_scale=0.5, levels=4, winsize=15, iterations=3, poly_n=5, poly_sigma=1.2, flags=0
    )


def dis(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense flow (H, W, 2) float32 by DIS, medium preset (a new instance: it is not thread-safe)."""
    estimator = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    return estimator.calc(_grey(a), _grey(b), None)  # type: ignore[call-overload]  # None: allocate the flow


def load_raft(variant: str = "large", checkpoint: str | Path | None = None) -> torch.nn.Module:
    """torchvision RAFT with weights from a local file, loaded strictly, eval mode."""
    from torchvision.models.optical_flow import raft_large, raft_small

    if checkpoint is None:
        from vivid_data.weights import path_of

        checkpoint = path_of(f"raft_{variant}")
    model = (raft_large if variant == "large" else raft_small)(weights=None, progress=False)
    from vivid_eval.networks.checkpoints import read_state_dict

    state = read_state_dict(checkpoint)  # weights_only=True; a pickle payload is a CheckpointError naming the file
    result = model.load_state_dict(state, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise ValueError(
            f"{checkpoint}: not a RAFT-{variant} state dict "
            f"(missing {result.missing_keys[:5]}, unexpected {result.unexpected_keys[:5]})"
        )
    return model.eval()


class RaftFlow:
    """RAFT on batches of frame pairs; frames are padded (replicated edges) to a multiple of 8 and at
    least 128 pixels (its correlation pyramid needs 16 feature cells), and the flow cropped back."""

    def __init__(self, model: torch.nn.Module, device: str = "cpu", batch: int = 4) -> None:
        self.model, self.device, self.batch = model.to(device), device, batch

    def __call__(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """(N, H, W, 3) uint8 x 2 -> (N, H, W, 2) float32 flows from first to second."""
        h, w = first.shape[1:3]
        pad = (0, max(128, w + (-w) % 8) - w, 0, max(128, h + (-h) % 8) - h)
        out = []
        with torch.inference_mode():
            for i in range(0, len(first), self.batch):
                a, b = (
                    torch.from_numpy(np.ascontiguousarray(x[i : i + self.batch]))
                    .to(self.device)
                    .permute(0, 3, 1, 2)
                    .float()
                    / 127.5
                    - 1
                    for x in (first, second)
                )
                a, b = F.pad(a, pad, mode="replicate"), F.pad(b, pad, mode="replicate")
                flow = self.model(a, b)[-1][:, :, :h, :w]
                out.append(flow.permute(0, 2, 3, 1).float().cpu().numpy())
        return np.concatenate(out)


def pair_flows(
    frames: np.ndarray, config: FlowConfig = FlowConfig(), raft: RaftFlow | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(forward, backward) flow for each consecutive pair of uint8 RGB frames."""
    if config.method == "raft":
        raft = raft or RaftFlow(load_raft(config.raft_variant, config.raft_checkpoint), config.device)
        forward = raft(frames[:-1], frames[1:])
        backward = raft(frames[1:], frames[:-1])
        return list(zip(forward, backward))
    estimate: Callable[[np.ndarray, np.ndarray], np.ndarray] = dis if config.method == "dis" else farneback
    both = lambda t: (estimate(frames[t], frames[t + 1]), estimate(frames[t + 1], frames[t]))  # noqa: E731
    if config.workers <= 1:
        return [both(t) for t in range(len(frames) - 1)]
    with ThreadPoolExecutor(config.workers) as pool:
        return list(pool.map(both, range(len(frames) - 1)))
