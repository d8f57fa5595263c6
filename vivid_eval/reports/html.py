"""The leaderboard as one self-contained HTML page: inline CSS, figures as data URIs, no scripts,
nothing fetched, so the file can be mailed or attached as it is."""

from __future__ import annotations

import base64
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

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1200px; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
th { background: #f2f2f2; }
tr.result td { background: #eef5fc; }
tr.incomparable td { background: #fbeee6; color: #555; }
td.best { font-weight: bold; }
p.reason { font-style: italic; color: #8a4b00; }
figure { display: inline-block; margin: 0.5em 1em 1em 0; vertical-align: top; }
figcaption { font-size: 0.8em; color: #555; max-width: 640px; }
img { max-width: 100%; }
"""


def _table(header: list[str], rows: list[tuple[str, list[tuple[str, bool]]]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        f'<tr class="{cls}">'
        + "".join(f"<td{' class=best' if best else ''}>{html.escape(text)}</td>" for text, best in cells)
        + "</tr>"
        for cls, cells in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(figure: Figure) -> str:
    data = base64.b64encode(figure.png).decode()
    caption = html.escape(figure.caption)
    return (
        f'<figure id="fig-{figure.name}"><img src="data:{figure.mime};base64,{data}" alt="{caption}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def render(sections: list[Section], figures: list[Figure]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>ViViD toolkit leaderboard</title>',
        f"<style>{STYLE}</style></head><body>",
        "<h1>Leaderboard</h1>",
        "<p>Means over videos with 95% bootstrap intervals where per-video scores exist (none from one video); "
        "(k/n) is the rank in the metric's direction among entries measured the same way (LPIPS only within one "
        "backbone). Sections with different protocols are never ranked together, and a result whose videos do "
        "not match a subset's published definition is not ranked with its rows ('measured on' says why). "
        "'unavailable': the metric could not run (weights missing); 'not measured': not asked for or not "
        "published.</p>",
        "<nav><ul>",
    ]
    videos = list(dict.fromkeys(f.group for f in figures if f.group.startswith("video ")))
    for i, section in enumerate(sections, 1):
        parts.append(f'<li><a href="#section-{i}">{html.escape(section.title)}</a></li>')
    for i, group in enumerate(videos, 1):
        parts.append(f'<li><a href="#video-{i}">{html.escape(group)}</a></li>')
    parts.append("</ul></nav>")
    for i, section in enumerate(sections, 1):
        parts.append(f'<section id="section-{i}"><h2>{html.escape(section.title)}</h2>')
        if section.reason:
            parts.append(f'<p class="reason">{html.escape(section.reason)}</p>')
        metrics = section.metrics()
        rows = [
            (
                entry.kind + (" incomparable" if entry.comparable is False else ""),
                [
                    (entry_label(entry), False),
                    (entry.kind, False),
                    *(cell(section, entry, m) for m in metrics),
                    (reference_text(entry), False),
                    (entry.source, False),
                ],
            )
            for entry in section.entries
        ]
        parts.append(_table(["method", "kind", *map(metric_header, metrics), "measured on", "source"], rows))
        notes = list(dict.fromkeys(f"{e.name}: {e.note}" for e in section.entries if e.note))
        if notes:
            parts.append("<ul class=notes>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>")
        if section.spread:
            parts.append("<h3>One method, several measurers</h3>")
            parts.append("<ul class=spread>" + "".join(f"<li>{html.escape(n)}</li>" for n in section.spread) + "</ul>")
        header, breakdown_rows = breakdown_table(section)
        if breakdown_rows:
            parts.append("<h3>By category and by view</h3>")
            parts.append(_table(header, [("", [(t, False) for t in row]) for row in breakdown_rows]))
        if section.comparisons:
            parts.append("<h3>Paired bootstrap over shared videos</h3>")
            parts.append(
                _table(COMPARISON_HEADER, [("", [(t, False) for t in comparison_row(c)]) for c in section.comparisons])
            )
        parts += [_figure(f) for f in figures if f.group == section.title]
        parts.append("</section>")
    for i, group in enumerate(videos, 1):
        parts.append(f'<section id="video-{i}"><h2>{html.escape(group)}</h2>')
        parts += [_figure(f) for f in figures if f.group == group]
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write(out: Path, sections: list[Section], figures: list[Figure]) -> Path:
    path = out / "leaderboard.html"
    atomic_write_bytes(path, render(sections, figures).encode())
    return path
