"""What every metric of the registry is: a torchmetrics ``Metric`` that says what it needs and reports.

A per-video metric's ``update(prediction, reference)`` scores one video pair; its per-video
columns and per-frame values are kept (``last``, ``last_frames``) for the evaluator's CSV files
and its ``compute()`` is the mean over videos. A set-level metric (VFID) is fed both sides with
``update(videos, real=...)`` and compares them in ``compute()``. ``setup(device, protocol)``
loads what the metric needs and raises :class:`MetricUnavailable` with the fix when it cannot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torchmetrics import Metric

from vivid_eval.metrics.contract import as_masks, video_pairs


class MetricUnavailable(RuntimeError):
    """The metric cannot run here (weights missing, ...); the message says how to fix it."""


class VideoSkipped(ValueError):
    """One video cannot be scored by one metric (too short, ...): recorded for that video, the run goes on."""


class VideoMetric(Metric):
    """Base of the registry's metrics. Subclasses set the class attributes and implement ``score``."""

    values: list[torch.Tensor]  # torchmetrics state (add_state), one value per video
    name: str = ""
    label: str = ""
    higher_is_better: bool = False
    #: paired: needs the reference video worn in the same garment; unpaired runs only set-level metrics
    settings: tuple[str, ...] = ("paired",)
    #: registry names of the weights the metric loads (vivid-weights)
    weights: tuple[str, ...] = ()
    #: the protocol fields that change its value
    protocol_fields: tuple[str, ...] = ()
    #: per-video columns it writes; the first is the one ranked
    columns: tuple[str, ...] = ()
    set_level: bool = False
    #: what ``update`` must be given beside the videos: "mask" (the generated region, one (T, H, W) mask per
    #: video), "windows" (the context windows a video was generated in); the evaluator supplies them
    needs: tuple[str, ...] = ()
    full_state_update = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_state("values", default=[], dist_reduce_fx="cat")
        self.last: dict[str, float] = {}
        self.last_frames: dict[str, np.ndarray] = {}
        self.device_name = "cpu"

    @property
    def primary(self) -> str:
        return self.columns[0] if self.columns else self.name

    def setup(self, device: str = "cpu", protocol: Any = None) -> VideoMetric:
        """Load what the metric needs on ``device``; raise :class:`MetricUnavailable` when it cannot."""
        self.device_name = device
        return self

    def describe(self) -> dict[str, Any]:
        """What the metric's number depends on, for ``summary.json``."""
        return {}

    def score(self, prediction: np.ndarray, reference: np.ndarray) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        """One video pair -> its per-video columns and per-frame values; metrics that ``need`` context take
        it as keyword arguments (``mask=``, ``windows=``)."""
        raise NotImplementedError

    def update(self, prediction: Any, reference: Any, **context: Any) -> None:
        """Score one video pair, or each pair of a batch, in any form :mod:`~vivid_eval.metrics.contract`
        accepts (``last`` and ``last_frames`` then hold the batch's last pair). ``context`` gives what the
        metric ``needs`` (``mask=``, ``windows=``); what it does not need is ignored."""
        pairs = video_pairs(prediction, reference)
        per_video = self._context(context, [p for p, _ in pairs])
        for (one_prediction, one_reference), extra in zip(pairs, per_video):
            self.last, self.last_frames = self.score(one_prediction, one_reference, **extra)
            self.values.append(torch.tensor(self.last[self.primary], dtype=torch.float64))

    def _context(self, context: dict[str, Any], videos: list[np.ndarray]) -> list[dict[str, Any]]:
        missing = [key for key in self.needs if context.get(key) is None]
        if missing:
            raise ValueError(f"{self.name} needs {', '.join(f'{key}=' for key in missing)} beside the videos")
        per_video: list[dict[str, Any]] = [{} for _ in videos]
        if "mask" in self.needs:
            for extra, mask in zip(per_video, as_masks(context["mask"], videos)):
                extra["mask"] = mask
        if "windows" in self.needs:
            plans = context["windows"]
            if len(videos) > 1 and not (isinstance(plans, list) and len(plans) == len(videos)):
                raise ValueError(f"windows=: one window plan per video of the batch ({len(videos)})")
            for extra, plan in zip(per_video, plans if len(videos) > 1 else [plans]):
                extra["windows"] = plan
        return per_video

    def compute(self) -> torch.Tensor:
        """The mean of the primary column over the videos scored."""
        values = self.values
        if isinstance(values, list):
            if not values:
                return torch.tensor(float("nan"), dtype=torch.float64)
            return torch.stack(values).double().mean()
        return values.double().mean()
