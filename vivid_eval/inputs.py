"""What is evaluated: prediction videos matched to reference videos by sample id, with explicit policies.

References are a built dataset's split (``dataset.json``: sample ids) or a ViViD folder's
``videos/`` (file stems). Every mismatch (frame count, size, frame rate) is found from the
containers before anything is decoded and reported all at once. The reference set's identity
(dataset name and content hash, split, videos, frames, a hash of the sample ids) goes into every
``summary.json``, so the leaderboard can tell which numbers are comparable.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vivid_data.benchmark_lists import Definition
from vivid_data.confine import confined
from vivid_data.formats.pairs import read_pairs_file
from vivid_data.samples import sample_index
from vivid_data.shards.index import load_index
from vivid_data.shards.members import VIDEO
from vivid_data.subsets import SubsetError, load_subset, windows_hash
from vivid_data.video import MediaError, decode_video, probe_video
from vivid_eval.per_frame_sources import MASK_LOADER, ORIENTATION_LOADER, mask_frames, sample_loaders
from vivid_eval.published import (
    PublishedReferenceError,
    PublishedReferences,
    dataset_references,
    folder_references,
)

MISMATCH_POLICIES = ("error", "truncate", "resize")
FPS_POLICIES = ("error", "allow")
FPS_TOLERANCE = 0.01  # relative


class EvaluationInputError(ValueError):
    pass


@dataclass
class VideoPair:
    sample_id: str
    prediction: Path
    reference: Callable[[], np.ndarray]  # decodes on demand: uint8 RGB (T, H, W, 3)
    reference_facts: dict[str, Any] = field(default_factory=dict)  # frames, width, height, fps, category
    prediction_facts: dict[str, Any] = field(default_factory=dict)

    def mask(self) -> np.ndarray | None:
        """The reference's agnostic mask as (T, H, W) bool, cut to the scored window; None when it has none."""
        load = self.reference_facts.get(MASK_LOADER)
        return None if load is None else self._windowed(mask_frames(load()))

    def orientation(self) -> np.ndarray | None:
        """The pose stage's per-frame orientation codes (0 unknown, 1 frontal, 2 side, 3 back), cut to the window."""
        load = self.reference_facts.get(ORIENTATION_LOADER)
        codes = None if load is None else load()
        return None if codes is None else self._windowed(np.asarray(codes))

    def _windowed(self, per_frame: np.ndarray) -> np.ndarray:
        """Per-frame data of the whole video cut to the scored window (data already of the window's length kept)."""
        window = self.reference_facts.get("window")
        if window and len(per_frame) != window[1] - window[0]:
            return per_frame[window[0] : window[1]]
        return per_frame

    def prediction_frames(self) -> np.ndarray:
        """The prediction's frames; a whole-video prediction scored on a subset window is cut to it."""
        crop = self.prediction_facts.get("crop")
        return decode_video(self.prediction, indices=range(crop[0], crop[1]) if crop else None)


@dataclass
class MatchReport:
    pairs: list[VideoPair]
    missing: list[str] = field(default_factory=list)  # references without a prediction
    extra: list[str] = field(default_factory=list)  # predictions without a reference
    reference_set: dict[str, Any] = field(default_factory=dict)
    definition: Definition | None = None  # a published benchmark definition (subset=vivid_s)
    missing_clips: list[str] = field(default_factory=list)  # its listed clips without a reference video


def is_dataset(references: str | Path) -> bool:
    return str(references).endswith(".json") or (Path(references) / "dataset.json").is_file()


def _dataset_references(index_path: str, split: str) -> dict[str, tuple[Callable[[], np.ndarray], dict]]:
    found: dict[str, tuple[Callable[[], np.ndarray], dict]] = {}
    for key, sample in sample_index(index_path, split).items():
        if sample.has(VIDEO):
            meta = sample.meta
            facts = {
                "frames": meta.get("num_frames"),
                "width": meta.get("width"),
                "height": meta.get("height"),
                "fps": meta.get("fps"),
                "category": meta.get("category"),
                "sha256": (meta.get("sha256") or {}).get(VIDEO.name),
                "setting": meta.get("setting"),  # unpaired: the video wears another garment than the listed one
                **sample_loaders(sample),
            }
            found[key] = (partial(sample.video, VIDEO), facts)
    return found


def _window_of(load: Callable[[], np.ndarray], start: int, end: int) -> np.ndarray:
    return load()[start:end]


def _subset_references(
    refs: dict[str, tuple[Callable[[], np.ndarray], dict]], references: str, split: str, built_subset: str
) -> dict[str, tuple[Callable[[], np.ndarray], dict]]:
    """Only the subset's samples, each reference cut to its window (facts: the window's frames)."""
    try:
        subset = load_subset(references, built_subset)
    except SubsetError as exc:
        raise EvaluationInputError(str(exc)) from exc
    if subset.rule.split != split:
        raise EvaluationInputError(
            f"subset {subset.rule.name} was selected from the {subset.rule.split} split; set split={subset.rule.split}"
        )
    unknown = [w.sample_id for w in subset.windows if w.sample_id not in refs]
    if unknown:
        raise EvaluationInputError(
            f"subset {subset.rule.name} names {len(unknown)} sample(s) not in the {split} split of {references}: "
            + ", ".join(unknown[:5])
        )
    out: dict[str, tuple[Callable[[], np.ndarray], dict]] = {}
    for window in subset.windows:
        load, facts = refs[window.sample_id]
        cut = {**facts, "frames": window.end - window.start, "window": [window.start, window.end]}
        cut["full_frames"] = facts.get("frames")
        cut["subset"] = {"name": subset.rule.name, "windows_sha256": windows_hash(subset.windows)}
        out[window.sample_id] = (partial(_window_of, load, window.start, window.end), cut)
    return out


def _folder_references(folder: str, pairs: str | None) -> dict[str, tuple[Callable[[], np.ndarray], dict]]:
    """A ViViD folder's ``videos/`` (inference layout), keyed by video file stem; a pairs file selects them."""
    videos = Path(folder) / "videos"
    if not videos.is_dir():
        raise EvaluationInputError(f"{folder}: neither a dataset.json nor a ViViD folder with videos/")
    if pairs:
        lines = read_pairs_file(pairs)
        _refuse_repeated_videos(pairs, [(line.video, line.garment, line.line_no) for line in lines])
        names = [line.video for line in lines]
    else:
        names = sorted(p.name for p in videos.glob("*.mp4"))
    out: dict[str, tuple[Callable[[], np.ndarray], dict]] = {}
    for name in names:
        path = confined(videos, name)
        if path is None:
            raise EvaluationInputError(f"{pairs}: video {name!r} resolves outside {videos}; refused")
        facts: dict[str, Any] = {"path": str(path)}
        mask = confined(Path(folder) / "agnostic_mask", name)
        if mask is not None and mask.is_file():  # the inference layout keeps each video's agnostic mask
            facts[MASK_LOADER] = partial(decode_video, mask)
        out[Path(name).stem] = (partial(decode_video, path), facts)
    return out


def use_mask_folder(refs: dict[str, tuple[Callable[[], np.ndarray], dict]], masks: str | Path) -> list[str]:
    """Take each reference's agnostic mask from ``<masks>/<key>.mp4`` (the whole video or the scored window);
    returns the keys that have none there."""
    folder = Path(masks)
    if not folder.is_dir():
        raise EvaluationInputError(f"masks={masks}: not a folder (expected <sample id or video stem>.mp4 mask videos)")
    without = []
    for key, (_, facts) in refs.items():
        path = confined(folder, f"{key}.mp4")
        if path is None:
            raise EvaluationInputError(f"masks={masks}: {key}.mp4 resolves outside {folder}; refused")
        if path.is_file():
            facts[MASK_LOADER] = partial(decode_video, path)
        else:
            facts.pop(MASK_LOADER, None)
            without.append(key)
    return without


def _refuse_repeated_videos(pairs: str, lines: list[tuple[str, str, int]]) -> None:
    """Predictions are named by their video, so a video listed with two garments could be scored only once:
    four lines on two videos would silently become two references. Say so instead."""
    seen: dict[str, list[str]] = {}
    for video, garment, number in lines:
        seen.setdefault(video, []).append(f"line {number}: {garment}")
    repeated = {video: where for video, where in seen.items() if len(where) > 1}
    if repeated:
        shown = "; ".join(f"{video} ({', '.join(where)})" for video, where in list(repeated.items())[:5])
        raise EvaluationInputError(
            f"{pairs}: {len(repeated)} video(s) listed more than once: {shown}. A prediction is named by its "
            "video (<video stem>.mp4), so each video is scored once: keep one line per video (one pairs file "
            "per garment setting)"
        )


def _closest(name: str, candidates: list[str]) -> list[str]:
    return difflib.get_close_matches(name, candidates, n=2, cutoff=0.5)


def _matching_error(predictions: Path, refs: list[str], found: list[str], missing: list[str]) -> str:
    lines = [
        f"{predictions}: {len(missing)} of {len(refs)} reference(s) have no prediction; a prediction must be "
        f"named <sample id>.mp4, e.g. {refs[0]}.mp4"
        if refs
        else f"{predictions}: no reference video found"
    ]
    lines.append(
        f"  found {len(found)} .mp4 file(s): "
        + (", ".join(f"{f}.mp4" for f in found[:8]) + (" ..." if len(found) > 8 else "") if found else "none")
    )
    for name in missing[:8]:
        close = _closest(name, found)
        lines.append(f"  missing {name}.mp4" + (f" (closest: {', '.join(c + '.mp4' for c in close)})" if close else ""))
    if len(missing) > 8:
        lines.append(f"  ... and {len(missing) - 8} more")
    return "\n".join(lines)


def match(
    predictions: str | Path,
    references: str,
    split: str = "test",
    pairs: str | None = None,
    on_missing: str = "error",
    built_subset: str | None = None,
    definition: Definition | None = None,
    masks: str | Path | None = None,
) -> MatchReport:
    """Pair ``<predictions>/<sample id>.mp4`` with the references (a dataset.json split or a ViViD folder).

    ``built_subset`` (a subset's name in the dataset, or its json) keeps only its samples, each cut
    to its frame window. ``definition`` (a published list such as ViViD-S) keeps exactly its clips,
    each cut to its listed window; predictions are named by the clip's video stem. ``masks`` (a folder of
    ``<key>.mp4`` mask videos) replaces the references' own agnostic masks for the region metrics.
    """
    predictions = Path(predictions)
    if not predictions.is_dir():
        raise EvaluationInputError(f"{predictions}: prediction folder not found")
    if definition is not None and built_subset:
        raise EvaluationInputError(
            f"subset={definition.entry.subset} scores the published list {definition.entry.file}; "
            f"built_subset={built_subset} is a subset built by a rule: choose one (a built subset is "
            "labelled by its own name and never ranked with published rows)"
        )
    if built_subset and not is_dataset(references):
        raise EvaluationInputError(f"built_subset={built_subset} needs a built dataset (dataset.json) as references")
    missing_clips: list[str] = []
    if definition is not None:
        refs = _published(definition, references)
        missing_clips = [c.clip_id for c in definition.clips if c.clip_id not in refs]
    else:
        refs = (
            _dataset_references(references, split) if is_dataset(references) else _folder_references(references, pairs)
        )
    if built_subset:
        refs = _subset_references(refs, references, split, built_subset)
    if masks:
        use_mask_folder(refs, masks)
    found = {p.stem: p for p in sorted(predictions.glob("*.mp4"))}
    missing = sorted(set(refs) - set(found))
    extra = sorted(set(found) - set(refs))
    if not set(refs) & set(found) or (missing and on_missing == "error"):
        message = _matching_error(predictions, sorted(refs), sorted(found), missing)
        if missing and on_missing == "error" and set(refs) & set(found):
            message += "\n  set on_missing=skip to score the predictions that are there"
        raise EvaluationInputError(message)
    pairs_found = [VideoPair(key, found[key], refs[key][0], dict(refs[key][1])) for key in sorted(refs) if key in found]
    return MatchReport(pairs_found, missing=missing, extra=extra, definition=definition, missing_clips=missing_clips)


def _published(definition: Definition, references: str) -> dict[str, tuple[Callable[[], np.ndarray], dict]]:
    """The definition's clips found in the references; every problem at once; none found is an error."""
    try:
        found: PublishedReferences = (
            dataset_references(definition, references)
            if is_dataset(references)
            else folder_references(definition, references)
        )
    except PublishedReferenceError as exc:
        raise EvaluationInputError(str(exc)) from exc
    name = definition.entry.subset
    if found.problems:
        raise EvaluationInputError(
            f"{len(found.problems)} problem(s) with the {name} references in {references}:\n  "
            + "\n  ".join(found.problems[:20])
        )
    if not found.references:
        first = definition.clips[0]
        raise EvaluationInputError(
            f"{references}: none of the {len(definition.clips)} clips of {name} ({definition.entry.file}) is there, "
            f"e.g. {first.category}/videos/{first.video}"
        )
    return found.references


def inspect(pairs: list[VideoPair], mismatch: str = "error", fps_policy: str = "error") -> dict[str, Any]:
    """Probe every prediction (and folder reference) and check frames, size and fps against the policies.

    With ``error``, every mismatch of every video is listed in one error. Returns the counts of
    what the policies changed, for the summary.
    """
    if mismatch not in MISMATCH_POLICIES:
        raise ValueError(f"mismatch policy must be one of {MISMATCH_POLICIES}, got {mismatch!r}")
    if fps_policy not in FPS_POLICIES:
        raise ValueError(f"fps policy must be one of {FPS_POLICIES}, got {fps_policy!r}")
    problems: list[str] = []
    counts: Counter = Counter()
    for pair in pairs:
        unreadable = _probe_pair(pair)
        if unreadable:
            problems.append(unreadable)
            continue
        for kind, text in _mismatches(pair):
            counts[kind] += 1
            refused = {"frame_count": mismatch == "error", "size": mismatch != "resize", "fps": fps_policy == "error"}
            if refused[kind]:
                problems.append(text)
    if problems:
        raise EvaluationInputError(
            f"{len(problems)} problem(s) with the predictions:\n  " + "\n  ".join(problems) + _policy_hints(problems)
        )
    return {"mismatch_policy": mismatch, "fps_policy": fps_policy, "mismatched_videos": dict(counts)}


def _probe_pair(pair: VideoPair) -> str | None:
    """Fill the facts of the prediction (and of a folder reference); the problem when one cannot be read."""
    try:
        info = probe_video(pair.prediction)
    except MediaError as exc:
        return f"{pair.sample_id}: {exc}"
    pair.prediction_facts = {"frames": info.num_frames, "width": info.width, "height": info.height, "fps": info.fps}
    ref = pair.reference_facts
    window = ref.get("window")
    if window and info.num_frames == ref.get("full_frames") != ref["frames"]:
        pair.prediction_facts.update(frames=ref["frames"], crop=window)  # a whole-video prediction: cut it too
    if "path" in ref and "frames" not in ref:
        try:
            theirs = probe_video(ref["path"])
        except MediaError as exc:
            return f"{pair.sample_id}: reference {exc}"
        ref.update(frames=theirs.num_frames, width=theirs.width, height=theirs.height, fps=theirs.fps)
    return None


def _mismatches(pair: VideoPair) -> list[tuple[str, str]]:
    """(kind, message) for each way a probed prediction differs from its reference."""
    ours, ref, sid = pair.prediction_facts, pair.reference_facts, pair.sample_id
    found = []
    if ref.get("frames") is not None and ours["frames"] != int(ref["frames"]):
        found.append(("frame_count", f"{sid}: {ours['frames']} frames, the reference has {ref['frames']}"))
    if ref.get("width") is not None and (ours["width"], ours["height"]) != (int(ref["width"]), int(ref["height"])):
        found.append(
            ("size", f"{sid}: {ours['width']}x{ours['height']}, the reference is {ref['width']}x{ref['height']}")
        )
    if ref.get("fps") and abs(ours["fps"] - float(ref["fps"])) > FPS_TOLERANCE * float(ref["fps"]):
        found.append(
            (
                "fps",
                f"{sid}: {ours['fps']:g} fps, the reference has {float(ref['fps']):g} fps "
                "(a prediction at another frame rate is misaligned in time)",
            )
        )
    return found


def _policy_hints(problems: list[str]) -> str:
    hints = []
    if any("frames" in p and "fps" not in p for p in problems):
        hints.append("mismatch=truncate scores the common frames")
    if any(" the reference is " in p for p in problems):
        hints.append("mismatch=resize resizes predictions to the reference size")
    if any(" fps, " in p for p in problems):
        hints.append("fps_mismatch=allow scores them anyway")
    return f"\n  ({'; '.join(hints)})" if hints else ""


def align(
    prediction: np.ndarray, reference: np.ndarray, sample_id: str, policy: str = "error"
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the mismatch policy: ``error`` (default), ``truncate`` (frames to the shorter),
    ``resize`` (truncate, and resize the prediction to the reference's size)."""
    if policy not in MISMATCH_POLICIES:
        raise ValueError(f"mismatch policy must be one of {MISMATCH_POLICIES}")
    if prediction.shape == reference.shape:
        return prediction, reference
    if policy == "error":
        raise EvaluationInputError(
            f"{sample_id}: prediction {prediction.shape[:3]} vs reference {reference.shape[:3]} "
            "(frames, height, width); choose mismatch=truncate or mismatch=resize"
        )
    count = min(len(prediction), len(reference))
    prediction, reference = prediction[:count], reference[:count]
    if prediction.shape[1:3] != reference.shape[1:3]:
        if policy != "resize":
            raise EvaluationInputError(
                f"{sample_id}: sizes differ {prediction.shape[1:3]} vs {reference.shape[1:3]}; "
                "mismatch=resize resizes the prediction"
            )
        h, w = reference.shape[1:3]
        prediction = np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_AREA) for f in prediction])
    return prediction, reference


def dataset_name(references: str | Path) -> str | None:
    """The name a built dataset records in its ``dataset.json`` (None for a folder or an older index)."""
    if not is_dataset(references):
        return None
    return load_index(references).get("name")


def reference_set(
    references: str | Path, split: str, pairs: list[VideoPair], report: MatchReport | None = None
) -> dict[str, Any]:
    """What the numbers were measured on: enough to tell whether two results (or a result and a
    published row) used the same videos."""
    ids = sorted(p.sample_id for p in pairs)
    frames = [p.reference_facts.get("frames") for p in pairs]
    categories = Counter(p.reference_facts.get("category") for p in pairs if p.reference_facts.get("category"))
    identity: dict[str, Any] = {
        "split": split if is_dataset(references) else None,
        "videos": len(ids),
        "ids_sha256": hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16],
        "per_category": dict(sorted(categories.items())) or None,
    }
    if report is not None and report.definition is not None:
        scored = set(ids)
        uncovered = sorted(set(report.missing_clips) | {c.clip_id for c in report.definition.clips} - scored)
        identity["benchmark"] = {
            **report.definition.record(),
            "clips_scored": len(scored),
            "missing_clips": uncovered,
            "missing_references": sorted(report.missing_clips),
        }
        identity["split"] = None
    subsets = {
        json.dumps(p.reference_facts["subset"], sort_keys=True)
        for p in pairs
        if "subset" in p.reference_facts and "windows_sha256" in p.reference_facts["subset"]
    }
    if subsets:  # the windows, not only the ids: the same videos cut differently are other numbers
        identity["built_subset"] = json.loads(sorted(subsets)[0])
    known = [int(f) for f in frames if f is not None]
    if len(known) == len(frames):
        identity.update(frames=sum(known), frames_min=min(known, default=0), frames_max=max(known, default=0))
    if is_dataset(references):
        index = load_index(references)
        shard_hashes = sorted(s["sha256"] for part in index["splits"].values() for s in part["shards"])
        identity.update(
            source="dataset",
            dataset=index.get("name"),
            content_sha256=hashlib.sha256(json.dumps(shard_hashes).encode()).hexdigest()[:16],
        )
    else:
        from vivid_data.store import sha256_file

        files = sorted(
            (p.sample_id, sha256_file(p.reference_facts["path"])) for p in pairs if "path" in p.reference_facts
        )
        identity.update(
            source="folder", dataset=None, content_sha256=hashlib.sha256(json.dumps(files).encode()).hexdigest()[:16]
        )
    return identity
