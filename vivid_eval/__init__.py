"""Evaluation of try-on videos: metrics, protocols, leaderboard.

    from vivid_eval import evaluate_folder, VideoSSIM, VideoLPIPS, VFID, FVD, temporal_flicker, warping_error

``evaluate_folder`` is ``vivid-eval`` as a function; the metric classes are the ones it runs
(torchmetrics ``Metric`` objects: ``update`` per video, ``compute`` over videos; VFID takes
``update(video, real=True/False)``); the temporal functions take uint8 (T, H, W, 3) arrays or
(T, 3, H, W) tensors in [0, 1].
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module that defines it; imported on first use, so that the command-line
#: entry points (vivid_eval.cli) answer --help without loading torch
_EXPORTS = {
    "evaluate_folder": "vivid_eval.evaluate",
    "VideoLPIPS": "vivid_eval.metrics.lpips_metric",
    "METRIC_CLASSES": "vivid_eval.metrics.registry",
    "RANKED": "vivid_eval.metrics.registry",
    "VideoSSIM": "vivid_eval.metrics.ssim",
    "ssim_video": "vivid_eval.metrics.ssim",
    "TemporalFlicker": "vivid_eval.metrics.temporal",
    "WarpingError": "vivid_eval.metrics.temporal",
    "reference_flows": "vivid_eval.metrics.temporal",
    "temporal_flicker": "vivid_eval.metrics.temporal",
    "warping_error": "vivid_eval.metrics.temporal",
    "CATV2TON_COMPAT": "vivid_eval.protocols",
    "PROTOCOLS": "vivid_eval.protocols",
    "VIVID_V1": "vivid_eval.protocols",
    "Protocol": "vivid_eval.protocols",
    "VFID": "vivid_eval.vfid",
    "from_loader": "vivid_eval.metrics.contract",
    "as_videos": "vivid_eval.metrics.contract",
    "FVD": "vivid_eval.fvd",
    "RegionSSIM": "vivid_eval.metrics.region",
    "RegionLPIPS": "vivid_eval.metrics.region",
    "PreservationError": "vivid_eval.metrics.region",
    "SeamRatio": "vivid_eval.metrics.seams",
    "as_masks": "vivid_eval.metrics.contract",
    "breakdowns": "vivid_eval.breakdowns",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'vivid_eval' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "CATV2TON_COMPAT",
    "FVD",
    "METRIC_CLASSES",
    "PROTOCOLS",
    "RANKED",
    "VFID",
    "VIVID_V1",
    "PreservationError",
    "Protocol",
    "RegionLPIPS",
    "RegionSSIM",
    "SeamRatio",
    "TemporalFlicker",
    "VideoLPIPS",
    "VideoSSIM",
    "WarpingError",
    "as_masks",
    "as_videos",
    "breakdowns",
    "evaluate_folder",
    "from_loader",
    "reference_flows",
    "ssim_video",
    "temporal_flicker",
    "warping_error",
]
