"""What is evaluated: prediction videos matched to reference videos by sample id, with explicit policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from vivid_data.formats.pairs import read_pairs_file
from vivid_data.shards.index import load_index, member_spans, read_spans, shard_paths
from vivid_data.video import decode_video

MISMATCH_POLICIES = ("error", "truncate", "resize")


class EvaluationInputError(ValueError):
    pass


@dataclass
class VideoPair:
    sample_id: str
    prediction: Path
    reference: Callable[[], np.ndarray]  # decodes on demand: uint8 RGB (T, H, W, 3)


@dataclass
class MatchReport:
    pairs: list[VideoPair]
    missing: list[str] = field(default_factory=list)   # references without a prediction
    extra: list[str] = field(default_factory=list)     # predictions without a reference


def _dataset_references(index_path: str, split: str) -> dict[str, Callable[[], np.ndarray]]:
    found: dict[str, Callable[[], np.ndarray]] = {}
    for path in map(Path, shard_paths(load_index(index_path), split)):
        for key, spans in member_spans(path).items():
            if "video.mp4" in spans:
                found[key] = (lambda p=path, k=key, s=spans["video.mp4"]: _tar_video(p, k, s))
    return found


def _tar_video(path: Path, key: str, span) -> np.ndarray:
    return decode_video(read_spans(path, {"video": span})["video"], name=f"{path}:{key}.video.mp4")


def _folder_references(folder: str, pairs: str | None) -> dict[str, Callable[[], np.ndarray]]:
    """A ViViD folder's ``videos/`` (inference layout), keyed by video file stem; a pairs file selects them."""
    videos = Path(folder) / "videos"
    if not videos.is_dir():
        raise EvaluationInputError(f"{folder}: no videos/ folder")
    names = [line.video for line in read_pairs_file(pairs)] if pairs else sorted(p.name for p in videos.glob("*.mp4"))
    return {Path(name).stem: (lambda p=videos / name: decode_video(p)) for name in dict.fromkeys(names)}


def match(predictions: str | Path, references: str, split: str = "test", pairs: str | None = None) -> MatchReport:
    """Pair ``<predictions>/<sample id>.mp4`` with the references (a dataset.json split or a ViViD folder)."""
    predictions = Path(predictions)
    if not predictions.is_dir():
        raise EvaluationInputError(f"{predictions}: prediction folder not found")
    refs = (_dataset_references(references, split) if str(references).endswith(".json") or
            (Path(references) / "dataset.json").is_file() else _folder_references(references, pairs))
    found = {p.stem: p for p in sorted(predictions.glob("*.mp4"))}
    pairs_found = [VideoPair(key, found[key], refs[key]) for key in sorted(refs) if key in found]
    return MatchReport(pairs_found, missing=sorted(set(refs) - set(found)), extra=sorted(set(found) - set(refs)))


def align(prediction: np.ndarray, reference: np.ndarray, sample_id: str, policy: str = "error") -> tuple[np.ndarray, np.ndarray]:
    """Apply the mismatch policy: ``error`` (default), ``truncate`` (frames to the shorter),
    ``resize`` (truncate, and resize the prediction to the reference's size)."""
    if policy not in MISMATCH_POLICIES:
        raise ValueError(f"mismatch policy must be one of {MISMATCH_POLICIES}")
    if prediction.shape == reference.shape:
        return prediction, reference
    if policy == "error":
        raise EvaluationInputError(f"{sample_id}: prediction {prediction.shape[:3]} vs reference {reference.shape[:3]} "
                                   "(frames, height, width); choose mismatch=truncate or mismatch=resize")
    count = min(len(prediction), len(reference))
    prediction, reference = prediction[:count], reference[:count]
    if prediction.shape[1:3] != reference.shape[1:3]:
        if policy != "resize":
            raise EvaluationInputError(f"{sample_id}: sizes differ {prediction.shape[1:3]} vs {reference.shape[1:3]}; "
                                       "mismatch=resize resizes the prediction")
        h, w = reference.shape[1:3]
        prediction = np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) for f in prediction])
    return prediction, reference
