"""Leaderboard: our results beside the published baselines, ranked only where numbers are comparable.

Entries are grouped by (dataset, subset, setting, protocol). A section holds the results measured
under one protocol and the baseline rows of the same dataset, subset, setting and protocol; the
baseline rows of the same dataset and subset under any other protocol go to sections of their
own with the reason they are not ranked with the results. Within a section a result is ranked
with the published rows only when its reference set matches the subset's published definition
(videos, per-category counts, frames per video; ``baselines.comparable``), and with other results
only when they were measured on the same videos; otherwise it is listed with
``comparable: false`` and the reason ("3 videos; vivid_s has 180"). Each metric is ranked in its
direction (from the metric registry); LPIPS only among entries with the same backbone. Two
results that share videos get a paired bootstrap test of every per-video metric, and of VFID
from their saved clip features (videos resampled, both Frechet distances recomputed on each draw).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vivid_eval.baselines import COST_COLUMNS, comparable, subset_facts
from vivid_eval.baselines import METRICS as BASELINE_METRICS
from vivid_eval.deviations import deviations_of, is_reference_deviation
from vivid_eval.metrics.frechet import frechet_distance_of
from vivid_eval.metrics.registry import BY_COLUMN, PER_VIDEO, RANKED, SET_LEVEL, direction
from vivid_eval.names import LabelError, check_labels
from vivid_eval.significance import PairedTest, paired_bootstrap, paired_set_bootstrap
from vivid_eval.vfid import load_clip_features

LABELS = {r.column: r.label for r in RANKED}
PER_VIDEO_METRICS = PER_VIDEO
VFID_METRICS = SET_LEVEL
NOT_RANKED = "not ranked"
#: our VFID-ResNeXt is pinned to CatV2TON's script (features as its network gives them): its scale
RESULT_RESNEXT_SCALE = "CatV2TON scale"


class ResultError(ValueError):
    pass


@dataclass
class Entry:
    name: str
    kind: str  # result | baseline
    dataset: str
    subset: str
    setting: str
    protocol: str
    values: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    lpips_net: str = ""
    source: str = ""
    note: str = ""
    folder: Path | None = None  # a result's vivid-eval output folder
    per_video: pd.DataFrame | None = None
    reference_set: dict | None = None  # what a result was measured on (summary.json)
    unavailable: dict[str, str] = field(default_factory=dict)  # metric -> why it was not computed
    comparable: bool | None = None  # results: rankable with the section's other entries
    reason: str = ""  # why not comparable
    facts: dict | None = None  # baselines: the subset's published definition
    deviations: list[str] = field(default_factory=list)  # results: what the run did differently (never ranked)
    measured_by: str = ""  # baselines: the paper that ran the numbers
    resnext_scale: str = ""  # the VFID-ResNeXt scale (papers differ by about 100x)
    costs: dict[str, float] = field(default_factory=dict)  # baselines: memory_gb, seconds_per_clip where printed
    breakdowns: dict[str, Any] = field(default_factory=dict)  # results: per category and per view (summary.json)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.dataset, self.subset, self.setting


@dataclass
class Comparison:
    first: str
    second: str
    metric: str
    test: PairedTest


@dataclass
class Section:
    dataset: str
    subset: str
    setting: str
    protocol: str
    entries: list[Entry]
    has_results: bool
    reason: str = ""
    ranks: dict[str, dict[str, str]] = field(default_factory=dict)  # metric -> entry name -> "2/5"
    comparisons: list[Comparison] = field(default_factory=list)
    spread: list[str] = field(default_factory=list)  # methods the papers measured differently, one line each

    @property
    def title(self) -> str:
        return f"{self.dataset} / {self.subset} / {self.setting} / protocol {self.protocol}"

    def metrics(self) -> list[str]:
        return [r.column for r in RANKED if any(r.column in e.values for e in self.entries)]


def load_result(folder: str | Path) -> Entry:
    """A ``vivid-eval`` output folder (or its ``summary.json``) as a leaderboard entry."""
    path = Path(folder)
    summary_path = path if path.suffix == ".json" else path / "summary.json"
    folder = summary_path.parent
    try:
        summary = json.loads(summary_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ResultError(f"{summary_path}: not a readable vivid-eval summary: {exc}") from exc
    missing = [k for k in ("method", "dataset", "subset", "setting", "protocol", "metrics") if k not in summary]
    if missing:
        raise ResultError(f"{summary_path}: missing {', '.join(missing)} (written by an older vivid-eval? rerun it)")
    given = summary.get("labels_given") or {"dataset": True, "subset": True}
    try:
        check_labels(
            summary["dataset"] if given.get("dataset") else None, summary["subset"] if given.get("subset") else None
        )
    except LabelError as exc:
        raise ResultError(f"{summary_path}: {exc}") from exc
    values, intervals = {}, {}
    for metric, stats in summary["metrics"].items():
        if metric in BY_COLUMN:
            values[metric] = float(stats["value"] if "value" in stats else stats["mean"])
            if stats.get("ci95") and all(math.isfinite(v) for v in stats["ci95"]):
                intervals[metric] = (float(stats["ci95"][0]), float(stats["ci95"][1]))
    unavailable = {
        column: reason
        for name, reason in summary.get("unavailable", {}).items()
        for column in [r.column for r in RANKED if r.metric == name]
    }
    per_video_path = folder / "per_video.csv"
    per_video = pd.read_csv(per_video_path, dtype={"sample_id": str}) if per_video_path.is_file() else None
    return Entry(
        summary["method"],
        "result",
        summary["dataset"],
        summary["subset"],
        summary["setting"],
        summary["protocol"]["id"],
        values,
        intervals,
        lpips_net=summary.get("lpips_net", ""),
        source=str(folder),
        folder=folder,
        per_video=per_video,
        reference_set=summary.get("reference_set"),
        unavailable=unavailable,
        deviations=list(summary["deviations"]) if "deviations" in summary else deviations_of(summary),
        resnext_scale=RESULT_RESNEXT_SCALE,
        breakdowns=summary.get("breakdowns") or {},
    )


def baseline_entries(table: pd.DataFrame) -> list[Entry]:
    out = []
    for _, row in table.iterrows():
        values = {m: float(row[m]) for m in BASELINE_METRICS if not math.isnan(row[m])}
        out.append(
            Entry(
                row["method"],
                "baseline",
                row["dataset"],
                row["subset"],
                row["setting"],
                row["protocol"],
                values,
                lpips_net=row["lpips_net"],
                source=row["source"],
                note="; ".join(
                    t
                    for t in (
                        row["resolution"] and f"resolution {row['resolution']}",
                        row["note"],
                        row["resnext_scale"] and f"VFID-ResNeXt scale: {row['resnext_scale']}",
                    )
                    if t
                ),
                facts=subset_facts(table, row["dataset"], row["subset"]),
                measured_by=row["measured_by"],
                resnext_scale=row["resnext_scale"],
                costs={c: float(row[c]) for c in COST_COLUMNS if not math.isnan(row[c])},
            )
        )
    return out


def _variant(entry: Entry, metric: str) -> str:
    """Entries are ranked on a metric only within the same variant: LPIPS by backbone, VFID-ResNeXt by
    its scale (papers print the same method about 100x apart); an unknown scale is ranked with nothing."""
    if metric == "lpips":
        return entry.lpips_net or "unknown backbone"
    if metric == "vfid_resnext":
        scale = entry.resnext_scale
        return scale if scale and not scale.startswith("unknown") else f"unknown scale: {entry.name}"
    return ""


def rank(entries: list[Entry], metric: str) -> dict[str, str]:
    """'k/n' per entry name with a value, ranked in the metric's direction within its variant; ties share a rank.
    Results marked not comparable are left out ('not ranked')."""
    out: dict[str, str] = {}
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        if metric in entry.values and math.isfinite(entry.values[metric]):
            if entry.comparable is False:
                out[entry.name] = NOT_RANKED
                continue
            groups.setdefault(_variant(entry, metric), []).append(entry)
    sign = -1 if direction(metric) == "higher" else 1
    for members in groups.values():
        scores = sorted(sign * e.values[metric] for e in members)
        for entry in members:
            out[entry.name] = f"{scores.index(sign * entry.values[metric]) + 1}/{len(members)}"
    return out


def vfid_test(first: Entry, second: Entry, metric: str, resamples: int, seed: int) -> PairedTest | None:
    """Paired bootstrap of a VFID difference from the runs' saved clip features (None when either has none)."""
    paths = [e.folder / "features" / f"{metric}.npz" for e in (first, second) if e.folder]
    if len(paths) != 2 or not all(p.is_file() for p in paths):
        return None
    a, b = (load_clip_features(p) for p in paths)
    shared = sorted(set(a.videos) & set(b.videos))
    if len(shared) < 2:
        return None
    row_of_a, row_of_b = ({v: i for i, v in enumerate(f.videos)} for f in (a, b))
    rows_a = np.array([row_of_a[v] for v in shared])
    rows_b = np.array([row_of_b[v] for v in shared])

    ddof = 0 if metric.startswith("fvd") else 1  # cd-FVD divides its covariance by N

    def difference(draw: np.ndarray) -> float:
        return frechet_distance_of(*a.of(rows_a[draw]), ddof) - frechet_distance_of(*b.of(rows_b[draw]), ddof)

    return paired_set_bootstrap(len(shared), difference, resamples, seed=seed)


def compare(
    results: list[Entry], resamples: int = 10_000, seed: int = 0, vfid_resamples: int = 200
) -> list[Comparison]:
    """Paired bootstrap of each per-video metric for every two results that share at least two videos,
    and of VFID where both runs saved their clip features."""
    out = []
    with_scores = [r for r in results if r.per_video is not None]
    for i, first in enumerate(with_scores):
        for second in with_scores[i + 1 :]:
            assert first.per_video is not None and second.per_video is not None
            merged = first.per_video.merge(second.per_video, on="sample_id", suffixes=("_a", "_b"))
            for metric in PER_VIDEO_METRICS:
                if f"{metric}_a" not in merged or f"{metric}_b" not in merged or len(merged) < 2:
                    continue
                if metric == "lpips" and first.lpips_net != second.lpips_net:
                    continue
                test = paired_bootstrap(merged[f"{metric}_a"], merged[f"{metric}_b"], resamples, seed=seed)
                out.append(Comparison(first.name, second.name, metric, test))
            for metric in VFID_METRICS:
                vfid = vfid_test(first, second, metric, vfid_resamples, seed) if vfid_resamples > 0 else None
                if vfid is not None:
                    out.append(Comparison(first.name, second.name, metric, vfid))
    return out


def _unique_names(results: list[Entry], published: set[str]) -> None:
    """Names unique within a section: a result named like one of the section's published rows becomes
    'ViViD (ours)' ('(ours 2)', ...); two results with one name become 'X' and 'X (2)'. A name used in
    another section is not a clash."""
    taken = set(published)
    for entry in results:
        base = f"{entry.name} (ours)" if entry.name in published else entry.name
        name, number = base, 2
        while name in taken:
            name = f"{entry.name} (ours {number})" if entry.name in published else f"{entry.name} ({number})"
            number += 1
        entry.name = name
        taken.add(name)


def build_leaderboard(
    results: list[Entry], baselines: list[Entry], resamples: int = 10_000, seed: int = 0, vfid_resamples: int = 200
) -> list[Section]:
    """Sections for the datasets and subsets the results were scored on, results' sections first."""
    sections: list[Section] = []
    keys = list(dict.fromkeys(r.key for r in results))
    for key in keys:
        ours = [r for r in results if r.key == key]
        protocols = list(dict.fromkeys(r.protocol for r in ours))
        for protocol in protocols:
            members = [r for r in ours if r.protocol == protocol]
            published = [b for b in baselines if b.key == key and b.protocol == protocol]
            _unique_names(members, {b.name for b in published})
            reason = "" if published else "no published baseline was measured under this protocol on this subset"
            sections.append(Section(*key, protocol, members + published, True, reason))
        others = list(dict.fromkeys(b.protocol for b in baselines if b.key == key and b.protocol not in protocols))
        for protocol in others:
            sections.append(
                Section(
                    *key,
                    protocol,
                    [b for b in baselines if b.key == key and b.protocol == protocol],
                    False,
                    f"published under protocol '{protocol}'; the results here were measured "
                    f"under {', '.join(protocols)}, so they are not ranked together",
                )
            )
    for section in sections:
        section.spread = measurer_spread(baselines, section.dataset, section.subset, section.setting)
        judge_comparability(section)
        section.ranks = {m: rank(section.entries, m) for m in section.metrics()}
        section.comparisons = compare(
            [e for e in section.entries if e.kind == "result"], resamples, seed, vfid_resamples
        )
    return sections


def measurer_spread(baselines: list[Entry], dataset: str, subset: str, setting: str) -> list[str]:
    """'MagicTryOn: SSIM 0.869-0.902, 3 measurers (...)' for every method that several papers measured
    on this subset and setting (under any protocol): the published numbers of one method disagree."""
    rows = [b for b in baselines if (b.dataset, b.subset, b.setting) == (dataset, subset, setting) and b.measured_by]
    lines = []
    for method in dict.fromkeys(b.name for b in rows):
        mine = [b for b in rows if b.name == method]
        parts = []
        for metric in LABELS:
            measured = [(b.values[metric], b.measured_by, b.resnext_scale) for b in mine if metric in b.values]
            measurers = list(dict.fromkeys(m for _, m, _ in measured))
            if len(measurers) < 2:
                continue
            values = [v for v, _, _ in measured]
            text = (
                f"{LABELS[metric]} {min(values):.4g}-{max(values):.4g}, "
                f"{len(measurers)} measurers ({', '.join(measurers)})"
            )
            if metric == "vfid_resnext" and len({scale for _, _, scale in measured}) > 1:
                text += " on different scales"
            parts.append(text)
        if parts:
            lines.append(f"{method}: " + "; ".join(parts))
    return lines


def judge_comparability(section: Section) -> None:
    """Mark each result comparable or not with the section's published rows and its first result."""
    results = [e for e in section.entries if e.kind == "result"]
    published = [e for e in section.entries if e.kind == "baseline"]
    facts = published[0].facts if published else None
    anchor = results[0].reference_set if results else None
    for result in results:
        reasons = []
        # a measurement deviation keeps a result out of every ranking; a built subset only out of the
        # published rows' (two methods on the same built windows are compared like any two results)
        blocking = [d for d in result.deviations if published or not is_reference_deviation(d)]
        if blocking:
            reasons.append("deviations: " + "; ".join(blocking))
        if published:
            ok, why = comparable(result.reference_set, facts, section.subset)
            if not ok:
                reasons.append(why)
        ours = result.reference_set
        if ours and anchor and result is not results[0] and ours.get("ids_sha256") != anchor.get("ids_sha256"):
            reasons.append(
                f"measured on other videos ({ours.get('videos')}) than {results[0].name} ({anchor.get('videos')})"
            )
        result.comparable, result.reason = not reasons, "; ".join(reasons)


def to_json(sections: list[Section]) -> dict[str, Any]:
    """The leaderboard as plain data (leaderboard.json)."""
    return {
        "sections": [
            {
                "dataset": s.dataset,
                "subset": s.subset,
                "setting": s.setting,
                "protocol": s.protocol,
                "has_results": s.has_results,
                "reason": s.reason,
                "measurer_spread": s.spread,
                "entries": [
                    {
                        "name": e.name,
                        "kind": e.kind,
                        "values": e.values,
                        "ci95": {k: list(v) for k, v in e.intervals.items()},
                        "lpips_net": e.lpips_net,
                        "source": e.source,
                        "note": e.note,
                        "reference_set": e.reference_set,
                        "subset_facts": e.facts,
                        "unavailable": e.unavailable,
                        "measured_by": e.measured_by,
                        "resnext_scale": e.resnext_scale,
                        "costs": e.costs,
                        **(
                            {
                                "comparable": e.comparable,
                                "reason": e.reason,
                                "deviations": e.deviations,
                                "breakdowns": e.breakdowns,
                            }
                            if e.kind == "result"
                            else {}
                        ),
                        "ranks": {m: s.ranks[m][e.name] for m in s.ranks if e.name in s.ranks[m]},
                    }
                    for e in s.entries
                ],
                "comparisons": [
                    {
                        "first": c.first,
                        "second": c.second,
                        "metric": c.metric,
                        "videos": c.test.videos,
                        "mean_difference": c.test.mean_difference,
                        "ci95": [c.test.low, c.test.high],
                        "p_value": c.test.p_value,
                        "significant": c.test.significant,
                    }
                    for c in s.comparisons
                ],
            }
            for s in sections
        ]
    }
