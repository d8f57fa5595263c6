"""The table a build prints: samples per category and status, frames, resolution and fps."""

from __future__ import annotations

import pandas as pd

from vivid_data.schema import CATEGORIES

#: the manifest columns the table reads
SUMMARY_COLUMNS = ("category", "status", "width", "height", "fps", "num_frames")


def summary_table(manifest: pd.DataFrame) -> pd.DataFrame:
    """One row per category (and a total): counts by status, frames, resolutions and fps of ok samples."""
    rows = []
    groups = [(c, manifest[manifest["category"] == c]) for c in CATEGORIES] + [("total", manifest)]
    for name, part in groups:
        ok = part[part["status"] == "ok"]
        sizes = sorted({f"{w}x{h}" for w, h in zip(ok["width"].dropna(), ok["height"].dropna())})
        fps = sorted({round(float(f), 3) for f in ok["fps"].dropna()})
        rows.append(
            {
                "category": name,
                "ok": len(ok),
                "rejected": int((part["status"] == "rejected").sum()),
                "failed": int((part["status"] == "failed").sum()),
                "frames": int(ok["num_frames"].fillna(0).sum()),
                "frames/video": f"{ok['num_frames'].mean():.1f}" if len(ok) else "-",
                "resolution (WxH)": ", ".join(sizes) or "-",
                "fps": ", ".join(f"{f:g}" for f in fps) or "-",
            }
        )
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame) -> str:
    """Fixed-width text table without an index, for terminals and logs."""
    columns = list(table.columns)
    cells = [[str(v) for v in row] for row in table.itertuples(index=False)]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join([line, rule, *body])
