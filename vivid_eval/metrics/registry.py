"""The one list of metrics: their classes (configured by Hydra's ``metric`` group), names, directions.

Adding a metric: a :class:`~vivid_eval.metrics.base.VideoMetric` subclass, a ``conf/metric/<name>.yaml``
with its ``_target_``, and its entry here; the evaluator, the summary, the leaderboard and the
reports take directions and labels from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from vivid_eval.fvd import FVD
from vivid_eval.metrics.base import VideoMetric
from vivid_eval.metrics.lpips_metric import VideoLPIPS
from vivid_eval.metrics.region import PreservationError, RegionLPIPS, RegionSSIM
from vivid_eval.metrics.seams import SeamRatio
from vivid_eval.metrics.ssim import VideoSSIM
from vivid_eval.metrics.temporal import TemporalFlicker, WarpingError
from vivid_eval.vfid import VFID

#: metric name -> class (VFID variants are one class with a network argument)
METRIC_CLASSES: dict[str, type[VideoMetric]] = {
    "ssim": VideoSSIM,
    "lpips": VideoLPIPS,
    "flicker": TemporalFlicker,
    "warp": WarpingError,
    "ssim_region": RegionSSIM,
    "lpips_region": RegionLPIPS,
    "preserve": PreservationError,
    "seams": SeamRatio,
    "vfid_i3d": VFID,
    "vfid_resnext": VFID,
    "fvd_videomae": FVD,
    "fvd_i3d": FVD,
}


@dataclass(frozen=True)
class Ranked:
    """A reported number that the leaderboard ranks."""

    column: str
    metric: str
    label: str
    higher_is_better: bool
    set_level: bool = False


#: in the leaderboard's column order; ``column`` is what summary.json and per_video.csv call it
RANKED: tuple[Ranked, ...] = (
    Ranked("ssim", "ssim", VideoSSIM.label, VideoSSIM.higher_is_better),
    Ranked("lpips", "lpips", VideoLPIPS.label, VideoLPIPS.higher_is_better),
    Ranked("vfid_i3d", "vfid_i3d", "VFID-I3D", VFID.higher_is_better, set_level=True),
    Ranked("vfid_resnext", "vfid_resnext", "VFID-ResNeXt", VFID.higher_is_better, set_level=True),
    Ranked("fvd_videomae", "fvd_videomae", "FVD (VideoMAE-v2)", FVD.higher_is_better, set_level=True),
    Ranked("fvd_i3d", "fvd_i3d", "FVD (I3D)", FVD.higher_is_better, set_level=True),
    Ranked("flicker_diff", "flicker", TemporalFlicker.label, TemporalFlicker.higher_is_better),
    Ranked("warp_diff", "warp", WarpingError.label, WarpingError.higher_is_better),
    Ranked("ssim_region", "ssim_region", RegionSSIM.label, RegionSSIM.higher_is_better),
    Ranked("lpips_region", "lpips_region", RegionLPIPS.label, RegionLPIPS.higher_is_better),
    Ranked("preserve_mae", "preserve", PreservationError.label, PreservationError.higher_is_better),
    Ranked("seam_ratio", "seams", SeamRatio.label, SeamRatio.higher_is_better),
)
BY_COLUMN = {r.column: r for r in RANKED}
PER_VIDEO = tuple(r.column for r in RANKED if not r.set_level)
SET_LEVEL = tuple(r.column for r in RANKED if r.set_level)


def direction(column: str) -> str:
    """'higher' or 'lower' is better, for a ranked column."""
    return "higher" if BY_COLUMN[column].higher_is_better else "lower"


def label(column: str) -> str:
    return BY_COLUMN[column].label if column in BY_COLUMN else column
