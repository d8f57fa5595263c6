"""Cell text shared by the Markdown and HTML reports."""

from __future__ import annotations

import math

from vivid_eval.leaderboard import LABELS, NOT_RANKED, Comparison, Entry, Section
from vivid_eval.metrics.registry import direction

#: what a cell says when there is no number: the two cases are never shown alike
UNAVAILABLE, NOT_MEASURED = "unavailable", "not measured"


def number(value: float, digits: int | None = None) -> str:
    if not math.isfinite(value):
        return "-"
    if digits is None:
        digits = 4 if abs(value) < 100 else 2
    return f"{value:.{digits}f}"


def column_digits(values: list[float], most: int = 8) -> int:
    """Decimals for one column: the usual 4 (2 from 100 up), more where two different values would print alike
    and so look tied while ranking apart."""
    finite = sorted({v for v in values if math.isfinite(v)})
    digits = 4 if all(abs(v) < 100 for v in finite) else 2
    while digits < most and len({f"{v:.{digits}f}" for v in finite}) < len(finite):
        digits += 1
    return digits


def section_digits(section: Section, metric: str) -> int:
    return column_digits([e.values[metric] for e in section.entries if metric in e.values])


def metric_header(metric: str) -> str:
    return f"{LABELS[metric]} {'↑' if direction(metric) == 'higher' else '↓'}"


def cell(section: Section, entry: Entry, metric: str) -> tuple[str, bool]:
    """('value [low, high] (rank)', is best in its variant); 'unavailable' (tried, could not run) and
    'not measured' (not asked for, or not published) are told apart."""
    if metric not in entry.values:
        return (UNAVAILABLE if metric in entry.unavailable else NOT_MEASURED), False
    digits = section_digits(section, metric)
    text = number(entry.values[metric], digits)
    if metric in entry.intervals:
        low, high = entry.intervals[metric]
        text += f" [{number(low, digits)}, {number(high, digits)}]"
    rank = section.ranks.get(metric, {}).get(entry.name)
    if rank:
        text += f" ({rank})"
    return text, rank is not None and rank != NOT_RANKED and rank.startswith("1/") and not rank.endswith("/1")


def reference_text(entry: Entry) -> str:
    """What an entry was measured on, and whether it is ranked with the others."""
    if entry.kind == "baseline":
        facts = entry.facts or {}
        parts = [
            f"{facts['videos']} videos" if facts.get("videos") else "size not published",
            f"{facts['per_category']} per category" if facts.get("per_category") else "",
            f"{facts['frames']} frames each" if facts.get("frames") else "",
        ]
        measured = f"measured by {entry.measured_by}; " if entry.measured_by else ""
        costs = [
            f"{entry.costs['memory_gb']:g} GB" if "memory_gb" in entry.costs else "",
            f"{entry.costs['seconds_per_clip']:g} s per clip" if "seconds_per_clip" in entry.costs else "",
        ]
        return measured + ", ".join(p for p in parts + costs if p)
    ref = entry.reference_set or {}
    frames = ref.get("frames_min")
    span = (
        ""
        if frames is None
        else (
            f", {frames} frames each"
            if frames == ref.get("frames_max")
            else f", {frames}-{ref.get('frames_max')} frames"
        )
    )
    text = f"{ref.get('videos', '?')} videos{span} (set {ref.get('ids_sha256', '?')})"
    benchmark = ref.get("benchmark")
    if benchmark:
        text += (
            f"; {benchmark['name']} list {str(benchmark.get('sha256'))[:12]}: "
            f"{benchmark.get('clips_scored')} of {benchmark.get('clips')} clips"
        )
    return text + ("" if entry.comparable is not False else f"; not comparable: {entry.reason}")


def comparison_row(comparison: Comparison) -> list[str]:
    test = comparison.test
    verdict = "yes" if test.significant else "no"
    if test.videos < FEW_VIDEOS:
        verdict += f" (only {test.videos} videos: the bootstrap understates uncertainty)"
    return [
        comparison.first,
        comparison.second,
        LABELS[comparison.metric],
        str(test.videos),
        f"{test.mean_difference:+.4g}",
        f"[{test.low:+.4g}, {test.high:+.4g}]",
        f"{test.p_value:.4f}",
        verdict,
    ]


FEW_VIDEOS = 10
COMPARISON_HEADER = ["A", "B", "metric", "videos", "mean A - B", "95% CI", "p", "significant"]


def entry_label(entry: Entry) -> str:
    return entry.name + (f" (LPIPS-{entry.lpips_net})" if entry.lpips_net and entry.kind == "result" else "")


BREAKDOWN_HEADER = ["method", "by", "group", "videos"]


def breakdown_table(section: Section) -> tuple[list[str], list[list[str]]]:
    """Each result's per-category and per-view means (with intervals) of the section's per-video columns;
    ([], []) when no result carries breakdowns. Published rows have none: they are never compared here."""
    metrics = [
        m
        for m in section.metrics()
        if any(m in groups for e in section.entries for by in e.breakdowns.values() for groups in by.values())
    ]
    rows = []
    for entry in section.entries:
        for by, groups in entry.breakdowns.items():
            for group, stats in groups.items():
                videos = max((s.get("videos", 0) for s in stats.values()), default=0)
                cells = []
                for metric in metrics:
                    if metric not in stats:
                        cells.append("-")
                        continue
                    digits = section_digits(section, metric)
                    text = number(stats[metric]["mean"], digits)
                    if stats[metric].get("ci95"):
                        low, high = stats[metric]["ci95"]
                        text += f" [{number(low, digits)}, {number(high, digits)}]"
                    cells.append(text)
                rows.append([entry.name, by, group, str(videos), *cells])
    if not rows:
        return [], []
    return [*BREAKDOWN_HEADER, *map(metric_header, metrics)], rows
