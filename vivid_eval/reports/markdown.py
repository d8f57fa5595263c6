"""The leaderboard as Markdown, with its figures as PNG files beside it (``figures/``)."""

from __future__ import annotations

import html
from pathlib import Path

from vivid_data.atomic import atomic_write_bytes
from vivid_eval.leaderboard import Section
from vivid_eval.reports.figures import Figure
from vivid_eval.reports.tables import (
    COMPARISON_HEADER,
    breakdown_table,
    cell,
    comparison_row,
    entry_label,
    metric_header,
    reference_text,
)


def escape(text: str) -> str:
    """Text we did not write (method names, folder names, notes) shown as text: a Markdown renderer
    passes raw HTML through, so ``<script>`` in a method name would run in a viewer."""
    return html.escape(text, quote=False)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(escape(c).replace("|", "\\|") for c in cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def render(sections: list[Section], figures: list[Figure]) -> str:
    lines = [
        "# Leaderboard",
        "",
        "Values are means over videos with 95% bootstrap intervals where per-video scores exist (none from one "
        "video); (k/n) is the rank in the metric's direction among the entries measured the same way (LPIPS "
        "only within one backbone). Sections with different protocols are never ranked together, and a result "
        "whose videos do not match a subset's published definition is not ranked with its rows ('measured on' "
        "says why). 'unavailable': the metric could not run; 'not measured': not asked for or not published.",
        "",
    ]
    for section in sections:
        lines += [f"## {escape(section.title)}", ""]
        if section.reason:
            lines += [f"*{escape(section.reason)}*", ""]
        metrics = section.metrics()
        rows = []
        for entry in section.entries:
            cells = []
            for metric in metrics:
                text, best = cell(section, entry, metric)
                cells.append(f"**{text}**" if best else text)
            rows.append([entry_label(entry), entry.kind, *cells, reference_text(entry), entry.source])
        lines += [*_table(["method", "kind", *map(metric_header, metrics), "measured on", "source"], rows), ""]
        notes = [f"- {escape(e.name)}: {escape(e.note)}" for e in section.entries if e.note]
        if notes:
            lines += ["Notes:", "", *dict.fromkeys(notes), ""]
        if section.spread:
            lines += ["One method, several measurers:", "", *(f"- {escape(n)}" for n in section.spread), ""]
        header, breakdown_rows = breakdown_table(section)
        if breakdown_rows:
            lines += ["By category and by view (the dominant orientation of each video's frames):", ""]
            lines += [*_table(header, breakdown_rows), ""]
        if section.comparisons:
            lines += ["Paired bootstrap over shared videos:", ""]
            lines += [*_table(COMPARISON_HEADER, [comparison_row(c) for c in section.comparisons]), ""]
        lines += [
            f"![{escape(f.caption)}](figures/{f.name}.{f.suffix})" for f in figures if f.group == section.title
        ] + [""]
    videos = list(dict.fromkeys(f.group for f in figures if f.group.startswith("video ")))
    for group in videos:
        lines += [f"## {escape(group[0].upper() + group[1:])}", ""]
        lines += [
            f"![{escape(f.caption)}](figures/{f.name}.{f.suffix})  \n*{escape(f.caption)}*\n"
            for f in figures
            if f.group == group
        ]
    return "\n".join(lines).rstrip() + "\n"


def write(out: Path, sections: list[Section], figures: list[Figure]) -> Path:
    for figure in figures:
        atomic_write_bytes(out / "figures" / f"{figure.name}.{figure.suffix}", figure.png)
    path = out / "leaderboard.md"
    atomic_write_bytes(path, render(sections, figures).encode())
    return path
