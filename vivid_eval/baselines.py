"""The published baseline numbers shipped with the package, with their protocol and source.

``data/baselines.csv`` holds every row of ``shared/docs/reference-numbers.md``: one row per method,
table and setting. ``protocol`` is ``catv2ton_compat`` only where the numbers are known to come
from CatV2TON's evaluation script (which our ``catv2ton_compat`` protocol reproduces); other rows
say ``unknown (...)`` with the table they were compiled from, and are never ranked with our
results. The table is checked on load, so a bad edit fails loudly with its row number.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

METRICS = ("ssim", "lpips", "vfid_i3d", "vfid_resnext")
TEXT_COLUMNS = ("method", "dataset", "subset", "setting", "resolution", "protocol", "lpips_net", "resnext_scale",
                "source", "note")
REQUIRED_TEXT = ("method", "dataset", "subset", "setting", "protocol", "source")
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
    missing = [c for c in (*TEXT_COLUMNS, *METRICS) if c not in frame.columns]
    if missing:
        raise BaselineTableError(f"{path}: missing column(s) {', '.join(missing)}")
    for metric in METRICS:
        values = []
        for i, text in enumerate(frame[metric]):
            try:
                values.append(float(text) if text.strip() else np.nan)
            except ValueError:
                raise BaselineTableError(f"{path}: row {i + 2}: {metric} is not a number: {text!r}") from None
        frame[metric] = values
    for i, row in frame.iterrows():
        where = f"{path}: row {i + 2} ({row['method'] or 'no method'})"
        empty = [c for c in REQUIRED_TEXT if not row[c].strip()]
        if empty:
            raise BaselineTableError(f"{where}: empty {', '.join(empty)}")
        if row["setting"] not in SETTINGS:
            raise BaselineTableError(f"{where}: setting must be one of {SETTINGS}, got {row['setting']!r}")
        if all(np.isnan(row[m]) for m in METRICS):
            raise BaselineTableError(f"{where}: no metric value")
        if row["setting"] == "unpaired" and any(not np.isnan(row[m]) for m in PAIRED_ONLY):
            raise BaselineTableError(f"{where}: SSIM and LPIPS need the worn garment: unpaired rows report VFID only")
    key = ["method", "dataset", "subset", "setting", "source"]
    duplicated = frame[frame.duplicated(key, keep=False)]
    if len(duplicated):
        raise BaselineTableError(f"{path}: duplicate rows {sorted(set(duplicated['method']))} for the same table and setting")
    return frame
