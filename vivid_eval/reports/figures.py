"""The figures a report shows: bar charts per section and metric, and per selected video the
per-frame SSIM / LPIPS curves of every result and each result's reference | prediction | difference strip."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from vivid_eval.leaderboard import LABELS, Entry, Section
from vivid_eval.reports.plots import bar_chart, frame_curves
from vivid_eval.strips import DIFFERENCE_GAIN


@dataclass(frozen=True)
class Figure:
    name: str  # file name stem, unique in a report
    caption: str
    png: bytes  # the encoded image (PNG charts, JPEG thumbnails)
    group: str  # a section title, or "video <sample id>"
    suffix: str = "png"

    @property
    def mime(self) -> str:
        return "image/jpeg" if self.suffix == "jpg" else "image/png"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def section_figures(number: int, section: Section) -> list[Figure]:
    return [
        Figure(
            f"s{number}-{_slug(metric)}",
            f"{LABELS[metric]}: {section.title}",
            bar_chart(section.entries, metric, section.title),
            section.title,
        )
        for metric in section.metrics()
    ]


def selected_videos(results: list[Entry], count: int) -> list[str]:
    """Sample ids that have a strip in at least one result folder, sorted, the first ``count``."""
    ids = sorted({p.stem for r in results if r.folder for p in (r.folder / "strips").glob("*.jpg")})
    return ids[:count]


def video_figures(results: list[Entry], count: int) -> list[Figure]:
    per_frame = {
        r.name: pd.read_csv(r.folder / "per_frame.csv", dtype={"sample_id": str})
        for r in results
        if r.folder and (r.folder / "per_frame.csv").is_file()
    }
    out = []
    for sample_id in selected_videos(results, count):
        group = f"video {sample_id}"
        for metric in ("ssim", "lpips"):
            try:
                out.append(
                    Figure(
                        f"v-{_slug(sample_id)}-{metric}",
                        f"{sample_id}: per-frame {LABELS[metric]}",
                        frame_curves(per_frame, sample_id, metric),
                        group,
                    )
                )
            except ValueError:
                continue  # no result scored this metric per frame
        for result in results:
            strip = result.folder / "strips" / f"{sample_id}.jpg" if result.folder else None
            if strip and strip.is_file():
                out.append(
                    Figure(
                        f"v-{_slug(sample_id)}-{_slug(result.name)}",
                        f"{result.name}, {sample_id}: reference | prediction | absolute difference "
                        f"x{DIFFERENCE_GAIN} (rows)",
                        strip.read_bytes(),
                        group,
                        "jpg",
                    )
                )
    return out


def all_figures(sections: list[Section], results: list[Entry], videos: int) -> list[Figure]:
    figures = [f for i, s in enumerate(sections, 1) for f in section_figures(i, s)]
    return figures + video_figures(results, videos)
