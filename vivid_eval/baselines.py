"""The published baseline numbers shipped with the package, with their protocol and source.

``data/baselines.csv`` holds every row of ``shared/docs/reference-numbers.md``: one row per method,
table, setting and measurer. ``measured_by`` names the paper that ran the numbers (the same
method gets different numbers from different papers: MagicTryOn's ViViD-S SSIM is 0.902, 0.884
or 0.869 depending on who measured it), ``resnext_scale`` the VFID-ResNeXt scale where papers
disagree (about 100x), ``memory_gb`` and ``seconds_per_clip`` the cost where a table prints it.
``protocol`` is ``catv2ton_compat`` only where the numbers are known to come
from CatV2TON's evaluation script (which our ``catv2ton_compat`` protocol reproduces); other rows
say ``unknown (...)`` with the table they were compiled from, and are never ranked with our
results. The table is checked on load, so a bad edit fails loudly with its row number.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from vivid_data.benchmark_lists import PUBLISHED_SUBSETS
from vivid_data.benchmark_lists import entry as list_entry

METRICS = ("ssim", "lpips", "vfid_i3d", "vfid_resnext", "fvd_videomae")
#: what a paper printed about a method's cost on the subset (its own GPU): never ranked, shown beside the row
COST_COLUMNS = ("memory_gb", "seconds_per_clip")
#: what defines a subset where it is published: videos (clips), per category, frames per video ("64" or "194-420")
SUBSET_COLUMNS = ("subset_videos", "subset_per_category", "subset_frames", "subset_source")
TEXT_COLUMNS = (
    "method",
    "dataset",
    "subset",
    "setting",
    "resolution",
    "protocol",
    "lpips_net",
    "resnext_scale",
    "measured_by",
    "source",
    "note",
    *SUBSET_COLUMNS,
)
REQUIRED_TEXT = ("method", "dataset", "subset", "setting", "protocol", "measured_by", "source")
SETTINGS = ("paired", "unpaired")
PAIRED_ONLY = ("ssim", "lpips")


class BaselineTableError(ValueError):
    pass


def default_path() -> Path:
    return Path(str(files("vivid_eval") / "data" / "baselines.csv"))


def load_baselines(path: str | Path | None = None) -> pd.DataFrame:
    """The baseline table, validated: text columns as str ('' when blank), metrics as float (NaN when not reported)."""
    path = Path(path) if path else default_path()
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise BaselineTableError(f"{path}: cannot read the baseline table: {exc}") from exc
    missing = [c for c in (*TEXT_COLUMNS, *METRICS, *COST_COLUMNS) if c not in frame.columns]
    if missing:
        raise BaselineTableError(f"{path}: missing column(s) {', '.join(missing)}")
    for metric in (*METRICS, *COST_COLUMNS):
        frame[metric] = _numbers(frame[metric], metric, path)
    for line, (_, row) in enumerate(frame.iterrows(), start=2):
        _check_row(row, f"{path}: row {line} ({row['method'] or 'no method'})")
    _check_subsets(frame, path)
    key = ["method", "dataset", "subset", "setting", "source"]
    duplicated = frame[frame.duplicated(key, keep=False)]
    if len(duplicated):
        raise BaselineTableError(
            f"{path}: duplicate rows {sorted(set(duplicated['method']))} for the same table and setting"
        )
    return frame


def _numbers(texts: pd.Series, metric: str, path: Path) -> list[float]:
    values = []
    for i, text in enumerate(texts):
        try:
            values.append(float(text) if text.strip() else np.nan)
        except ValueError:
            raise BaselineTableError(f"{path}: row {i + 2}: {metric} is not a number: {text!r}") from None
    return values


def _check_row(row: pd.Series, where: str) -> None:
    empty = [c for c in REQUIRED_TEXT if not row[c].strip()]
    if empty:
        raise BaselineTableError(f"{where}: empty {', '.join(empty)}")
    if row["setting"] not in SETTINGS:
        raise BaselineTableError(f"{where}: setting must be one of {SETTINGS}, got {row['setting']!r}")
    if all(np.isnan(row[m]) for m in (*METRICS, *COST_COLUMNS)):
        raise BaselineTableError(f"{where}: no metric value and no cost")
    if row["setting"] == "unpaired" and any(not np.isnan(row[m]) for m in PAIRED_ONLY):
        raise BaselineTableError(f"{where}: SSIM and LPIPS need the worn garment: unpaired rows report VFID only")


def _check_subsets(frame: pd.DataFrame, path: Path) -> None:
    """All rows of one published subset state the same facts about it; counts are counts."""
    for (dataset, subset), rows in frame.groupby(["dataset", "subset"]):
        if len(rows[list(SUBSET_COLUMNS)].drop_duplicates()) > 1:
            raise BaselineTableError(f"{path}: the rows of {dataset} / {subset} state different subset facts")
        for column in ("subset_videos", "subset_per_category"):
            value = rows[column].iloc[0]
            if value and not value.isdigit():
                raise BaselineTableError(f"{path}: {dataset} / {subset}: {column} must be a count, got {value!r}")


def subset_facts(table: pd.DataFrame, dataset: str, subset: str) -> dict | None:
    """The published facts of a subset (None when no baseline row names it)."""
    rows = table[(table["dataset"] == dataset) & (table["subset"] == subset)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return {
        "videos": int(row["subset_videos"]) if row["subset_videos"] else None,
        "per_category": int(row["subset_per_category"]) if row["subset_per_category"] else None,
        "frames": row["subset_frames"] or None,
        "source": row["subset_source"],
    }


def covers_definition(reference: dict, subset: str) -> tuple[bool, str]:
    """Whether a result was scored on every clip of the registered definition of ``subset`` in its setting."""
    benchmark = reference.get("benchmark")
    setting = reference.get("setting") or "paired"
    if not benchmark or benchmark.get("name") != subset:
        return False, f"not scored on the published {subset} list (rerun vivid-eval with subset={subset})"
    registered = list_entry(subset, setting)
    if benchmark.get("sha256") != registered.sha256:
        return False, (
            f"scored on a {subset} list with sha256 {str(benchmark.get('sha256'))[:12]}..., not the registered "
            f"{registered.file} ({registered.sha256[:12]}...)"
        )
    missing = list(benchmark.get("missing_clips") or [])
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        return False, f"{len(missing)} of {benchmark.get('clips')} {subset} clips missing: {shown}"
    return True, ""


def comparable(reference: dict | None, facts: dict | None, subset: str) -> tuple[bool, str]:
    """Whether a result's reference set matches a published subset's definition, and if not, why."""
    if facts is None:
        return True, ""
    if not reference:
        return False, "the result records no reference set (rerun vivid-eval)"
    if subset in PUBLISHED_SUBSETS:
        return covers_definition(reference, subset)
    if facts["videos"] is None:
        return False, f"{subset}'s size is not published, so a result cannot be checked against it"
    reasons = []
    if reference.get("videos") != facts["videos"]:
        reasons.append(f"{reference.get('videos')} videos; {subset} has {facts['videos']}")
    if facts["per_category"] is not None:
        counts = reference.get("per_category") or {}
        if sorted(counts.values()) != [facts["per_category"]] * 3:
            reasons.append(f"per category {counts or 'unknown'}; {subset} has {facts['per_category']} each")
    if facts["frames"]:
        low, _, high = facts["frames"].partition("-")
        low, high = int(low), int(high or low)
        got = (reference.get("frames_min"), reference.get("frames_max"))
        if got[0] is None or got[1] is None or got[0] < low or got[1] > high:
            span = "unknown" if got[0] is None else (f"{got[0]}" if got[0] == got[1] else f"{got[0]}-{got[1]}")
            reasons.append(f"{span} frames per video; {subset} has {facts['frames']}")
    return (not reasons), "; ".join(reasons)
