"""Evaluation of try-on videos: metrics, protocols, leaderboard.

    from vivid_eval import evaluate_folder, VideoSSIM, VideoLPIPS, VFID, temporal_flicker, warping_error

``evaluate_folder`` is ``vivid-eval`` as a function; the metric classes are the ones it runs
(torchmetrics ``Metric`` objects: ``update`` per video, ``compute`` over videos; VFID takes
``update(video, real=True/False)``); the temporal functions take uint8 (T, H, W, 3) arrays or
(T, 3, H, W) tensors in [0, 1].
"""

from vivid_eval.evaluate import evaluate_folder
from vivid_eval.metrics.lpips_metric import VideoLPIPS
from vivid_eval.metrics.registry import METRIC_CLASSES, RANKED
from vivid_eval.metrics.ssim import VideoSSIM, ssim_video
from vivid_eval.metrics.temporal import TemporalFlicker, WarpingError, reference_flows, temporal_flicker, warping_error
from vivid_eval.protocols import CATV2TON_COMPAT, PROTOCOLS, VIVID_V1, Protocol
from vivid_eval.vfid import VFID

__all__ = [
    "CATV2TON_COMPAT",
    "METRIC_CLASSES",
    "PROTOCOLS",
    "Protocol",
    "RANKED",
    "TemporalFlicker",
    "VFID",
    "VIVID_V1",
    "VideoLPIPS",
    "VideoSSIM",
    "WarpingError",
    "evaluate_folder",
    "reference_flows",
    "ssim_video",
    "temporal_flicker",
    "warping_error",
]
