"""Named subsets of a built dataset: which samples, which frames, and the rule that chose them.

The test sets papers report on are curated subsets nobody can rebuild: CatV2TON's ViViD-S keeps
videos with more than 24 consecutive frontal frames and tests on 180 clips (60 per category) of
64 consecutive frontal frames; DPIDM drops back-facing clips. A rule here selects windows (a
sample id and a [start, end) frame range) from the per-frame body orientation the pose stage
stores in ``keypoints.npz`` (:mod:`vivid_data.pose.orientation`), with per-category quotas and
a seed, and writes ``<dataset>/subsets/<name>.json`` with the windows and the rule. ``vivid-eval
subset=<name>``, the training loader (``ClipDataset(..., subset=...)``) and
``export_shards(..., subset=...)`` read it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vivid_data.atomic import atomic_write_text
from vivid_data.pose.orientation import BACK, FRONTAL, runs_of
from vivid_data.schema import CATEGORIES
from vivid_data.shards.index import load_index, shard_samples
from vivid_data.shards.members import KEYPOINTS, META

SUBSET_FORMAT = "vivid-subset"


class SubsetError(ValueError):
    """A subset that cannot be found, read or applied; the message names the file or sample."""


@dataclass
class SubsetRule:
    """How windows are chosen. ``window_frames`` None: the whole video is the window."""

    name: str
    split: str = "test"
    window_frames: int | None = 64
    window_frontal: bool = True  # every frame of the window frontal
    min_frontal_run: int = 0  # the video needs a run of more than this many consecutive frontal frames
    max_back_share: float | None = None  # at most this share of the window's frames seen from behind
    per_category: int | None = None  # quota per category (None: every eligible sample)
    seed: int = 0
    caveat: str = ""

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name or self.name.startswith("."):
            raise SubsetError(f"subset name {self.name!r} must be a plain file name")
        if self.window_frames is not None and self.window_frames < 1:
            raise SubsetError(f"subset {self.name}: window_frames must be at least 1, got {self.window_frames}")


@dataclass
class Window:
    sample_id: str
    category: str
    start: int
    end: int


@dataclass
class Subset:
    rule: SubsetRule
    windows: list[Window]
    notes: dict[str, Any] = field(default_factory=dict)

    def by_id(self) -> dict[str, Window]:
        return {w.sample_id: w for w in self.windows}

    def ranges(self) -> dict[str, tuple[int, int]]:
        """[start, end) frame range by sample id: what the loader and the export cut to."""
        return {w.sample_id: (w.start, w.end) for w in self.windows}


def _rank(sample_id: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{sample_id}".encode()).hexdigest()


def place_window(labels: np.ndarray, rule: SubsetRule, sample_id: str) -> tuple[int, int] | None:
    """The [start, end) window the rule allows in a video with these per-frame labels, or None.

    Where several places qualify, one is drawn with a generator seeded by the rule's seed and the
    sample id (so a sample's window does not depend on which other samples are in the dataset).
    """
    labels = np.asarray(labels)
    frontal = runs_of(labels, FRONTAL)
    if max((end - start for start, end in frontal), default=0) <= rule.min_frontal_run:
        return None
    length = rule.window_frames or len(labels)
    if length > len(labels):
        return None
    if rule.window_frontal:
        starts = [s for run_start, run_end in frontal for s in range(run_start, run_end - length + 1)]
    else:
        starts = list(range(0, len(labels) - length + 1))
    if rule.max_back_share is not None:
        starts = [s for s in starts if float((labels[s : s + length] == BACK).mean()) <= rule.max_back_share]
    if not starts:
        return None
    rng = np.random.default_rng([rule.seed, zlib.crc32(sample_id.encode())])
    start = starts[int(rng.integers(len(starts)))]
    return start, start + length


def _labels(members: dict[str, bytes]) -> np.ndarray | None:
    data = members.get(KEYPOINTS.name)
    if data is None:
        return None
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return np.asarray(npz["orientation"]) if "orientation" in npz.files else None


def select(dataset: str | Path, rule: SubsetRule) -> Subset:
    """Apply ``rule`` to one split of a built dataset."""
    index = load_index(dataset)
    if rule.split not in index["splits"]:
        raise SubsetError(f"subset {rule.name}: split {rule.split!r} not in {dataset} (has {sorted(index['splits'])})")
    root = Path(index["_root"])
    eligible: dict[str, list[Window]] = {c: [] for c in CATEGORIES}
    unlabelled = 0
    considered = 0
    for shard in index["splits"][rule.split]["shards"]:
        for key, members in shard_samples(root / shard["path"], only=(META.name, KEYPOINTS.name)):
            considered += 1
            meta = json.loads(members[META.name])
            labels = _labels(members)
            if labels is None:
                unlabelled += 1
                continue
            placed = place_window(labels, rule, key)
            if placed is not None and meta.get("category") in eligible:
                eligible[meta["category"]].append(Window(key, meta["category"], *placed))
    windows: list[Window] = []
    shortfall = {}
    for category, found in eligible.items():
        found.sort(key=lambda w: _rank(w.sample_id, rule.seed))
        chosen = found if rule.per_category is None else found[: rule.per_category]
        if rule.per_category is not None and len(found) < rule.per_category:
            shortfall[category] = rule.per_category - len(found)
        windows.extend(sorted(chosen, key=lambda w: w.sample_id))
    notes = {
        "considered": considered,
        "without_orientation": unlabelled,
        "eligible": {c: len(v) for c, v in eligible.items()},
        "selected": {c: sum(w.category == c for w in windows) for c in CATEGORIES},
        "shortfall": shortfall,
    }
    return Subset(rule, windows, notes)


def subset_path(dataset: str | Path, name: str) -> Path:
    root = Path(load_index(dataset)["_root"])
    return root / "subsets" / f"{name}.json"


def write_subset(dataset: str | Path, subset: Subset) -> Path:
    """``<dataset>/subsets/<name>.json`` (atomically): the rule, the windows and what was eligible."""
    payload = {
        "format": SUBSET_FORMAT,
        "name": subset.rule.name,
        "split": subset.rule.split,
        "rule": asdict(subset.rule),
        "windows": [asdict(w) for w in subset.windows],
        "windows_sha256": windows_hash(subset.windows),
        **subset.notes,
    }
    return atomic_write_text(subset_path(dataset, subset.rule.name), json.dumps(payload, indent=2) + "\n")


def windows_hash(windows: list[Window]) -> str:
    """Identity of the windows (ids and frame ranges): two evaluations on one subset share it."""
    text = "\n".join(f"{w.sample_id}:{w.start}-{w.end}" for w in sorted(windows, key=lambda w: w.sample_id))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_subset(dataset: str | Path, name_or_path: str | Path) -> Subset:
    """A subset by name (``<dataset>/subsets/<name>.json``) or by path."""
    candidate = Path(name_or_path)
    path = candidate if candidate.suffix == ".json" else subset_path(dataset, str(name_or_path))
    if not path.is_file():
        folder = path.parent
        known = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
        raise SubsetError(
            f"{path}: subset not found" + (f" (this dataset has: {', '.join(known)})" if known else " (none built)")
        )
    try:
        payload = json.loads(path.read_text())
        if payload.get("format") != SUBSET_FORMAT:
            raise SubsetError(f"{path}: not a {SUBSET_FORMAT} file")
        rule = SubsetRule(**payload["rule"])
        windows = [Window(**w) for w in payload["windows"]]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SubsetError(f"{path}: not a readable subset ({exc})") from exc
    notes = {k: v for k, v in payload.items() if k not in ("format", "name", "split", "rule", "windows")}
    return Subset(rule, windows, notes)
