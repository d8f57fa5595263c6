"""Deterministic group splits: no garment and no source video in two splits, stratified by category."""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np
import pandas as pd

from vivid_data.schema import CATEGORIES


class _Groups:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _column(frame: pd.DataFrame, name: str, fallback: str) -> pd.Series:
    if name in frame and frame[name].notna().any():
        return frame[name].fillna(frame[fallback])
    return frame[fallback]


def leakage_groups(frame: pd.DataFrame) -> pd.Series:
    """Group id per row: rows sharing a garment (same image, or the same duplicate-garment group)
    or a source video (the same file, or segments of one video) are in one group."""
    groups = _Groups()
    garments = _column(frame, "clean_garment_group", "garment_sha256").astype(str)
    videos = _column(frame, "clean_parent_id", "video_sha256").astype(str)
    for sample, garment, video, video_sha in zip(
        frame["sample_id"], garments, videos, frame["video_sha256"].astype(str)
    ):
        node = f"s:{sample}"
        groups.union(node, f"g:{garment}")
        groups.union(node, f"v:{video}")
        groups.union(node, f"f:{video_sha}")
    return pd.Series([groups.find(f"s:{s}") for s in frame["sample_id"]], index=frame.index)


def _rank(group: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{group}".encode()).hexdigest()


def assign_splits(frame: pd.DataFrame, test_fraction: float = 0.2, seed: int = 0) -> pd.Series:
    """``train``/``test`` per row. Per category, groups in a seeded hash order go to test until it
    holds ``test_fraction`` of the category's samples (at least one group when there are two or more)."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    groups = leakage_groups(frame)
    splits = pd.Series("train", index=frame.index, dtype=object)
    # a group spanning categories is placed with the category of most of its rows
    group_category = frame.groupby(groups)["category"].agg(lambda c: c.value_counts().index[0])
    sizes = groups.value_counts()
    for category in CATEGORIES:
        members = sorted(group_category[group_category == category].index, key=lambda g: _rank(g, seed))
        total = int(sizes[members].sum()) if members else 0
        target = test_fraction * total
        taken = 0
        chosen: list[str] = []
        for group in members:
            if taken >= target or len(chosen) == len(members) - 1:
                break
            chosen.append(group)
            taken += int(sizes[group])
        splits[groups.isin(chosen)] = "test"
    return splits


def check_no_leakage(frame: pd.DataFrame, split_column: str = "split") -> list[str]:
    """Garments or source videos found in more than one split (empty when the split is clean)."""
    problems = []
    for label, column in (
        ("garment", _column(frame, "clean_garment_group", "garment_sha256")),
        ("source video", _column(frame, "clean_parent_id", "video_sha256")),
    ):
        spread = frame.groupby(column.astype(str))[split_column].nunique()
        for value in spread[spread > 1].index:
            problems.append(
                f"{label} {value[:16]} is in splits "
                f"{sorted(frame.loc[column.astype(str) == value, split_column].unique())}"
            )
    return problems


def unpaired_partners(frame: pd.DataFrame, seed: int = 0) -> dict[str, str]:
    """For each sample, another sample of the same category whose garment differs (fixed seed).

    A shuffled cycle within each category: every garment is used once, none with its own video.
    """
    partners: dict[str, str] = {}
    rng = np.random.default_rng(seed)
    for category in CATEGORIES:
        part = frame[frame["category"] == category].sort_values("sample_id")
        ids = list(part["sample_id"])
        garments = dict(zip(part["sample_id"], part["garment_sha256"]))
        if len(ids) < 2:
            continue
        order = list(rng.permutation(len(ids)))
        cycle = [ids[i] for i in order]
        for a, b in zip(cycle, cycle[1:] + cycle[:1]):
            if garments[a] != garments[b]:
                partners[a] = b
        by_garment = defaultdict(list)
        for sample in ids:
            by_garment[garments[sample]].append(sample)
        for sample in ids:  # a cycle neighbour with the same garment: take any other garment
            if sample not in partners:
                others = [s for s in cycle if garments[s] != garments[sample]]
                if others:
                    partners[sample] = others[0]
    return partners
