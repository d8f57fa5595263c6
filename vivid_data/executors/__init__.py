"""Executors run a stage over rows (Hydra group ``executor``): ``local`` processes or ``ray``."""

from vivid_data.executors.base import TaskResult, timed_call

__all__ = ["TaskResult", "timed_call"]
