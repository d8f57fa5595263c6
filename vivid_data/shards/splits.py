"""Deterministic group splits: no garment and no source video in two splits, stratified by category."""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np
import pandas as pd

from vivid_data.schema import CATEGORIES
from vivid_data.union_find import UnionFind


def _column(frame: pd.DataFrame, name: str, fallback: str) -> pd.Series:
    if name in frame and frame[name].notna().any():
        return frame[name].fillna(frame[fallback])
    return frame[fallback]


def leakage_groups(frame: pd.DataFrame) -> pd.Series:
    """Group id per row: rows sharing a garment (same image, or the same duplicate-garment group)
    or a source video (the same file, or segments of one video) are in one group.

    A union-find over integer codes (no string per node, so 10,000 rows cost a few arrays); a
    group is named ``f:<the smallest video sha256 in it>``, the name the split ranks by.
    """
    count = len(frame)
    garments = pd.factorize(_column(frame, "clean_garment_group", "garment_sha256").astype(str))[0]
    videos = pd.factorize(_column(frame, "clean_parent_id", "video_sha256").astype(str))[0]
    files, file_names = pd.factorize(frame["video_sha256"].astype(str))
    garment_base = count
    video_base = garment_base + garments.max(initial=-1) + 1
    file_base = video_base + videos.max(initial=-1) + 1
    sets = UnionFind(file_base + len(file_names))
    for sample in range(count):
        for other in (garment_base + garments[sample], video_base + videos[sample], file_base + files[sample]):
            sets.union(sample, int(other))
    roots = sets.roots()[:count]
    # every sample's own file is in its group: the group's name is its smallest file hash
    smallest: dict[int, str] = {}
    for root, name in zip(roots, np.asarray(file_names, dtype=object)[files]):
        if root not in smallest or name < smallest[root]:
            smallest[root] = name
    return pd.Series([f"f:{smallest[root]}" for root in roots], index=frame.index)


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
