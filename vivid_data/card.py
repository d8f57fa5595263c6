"""The dataset card: ``dataset/README.md`` in the Hugging Face card format and ``dataset/card.html``.

A built dataset is a folder of shards nobody can look into without code; the card says what is
in it (counts per category and split, what each stage rejected and why, how the clean scores
fall against their thresholds, what the videos look like) and how to load it. Everything comes
from the dataset folder itself (``dataset.json`` and the shards) and, when the build's work
directory is given, from its manifests and stage stats.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from vivid_data.atomic import atomic_write_text
from vivid_data.manifest_stream import read_columns
from vivid_data.schema import CATEGORIES
from vivid_data.shards.index import load_index, shard_samples
from vivid_data.video import MediaError, decode_video, encode_image

STAGES = ("ingest", "clean", "pose", "parse")
#: clean score column -> (threshold key in clean.filters, what it measures); a rule of ``None`` draws no line
SCORES: dict[str, tuple[str | None, str]] = {
    "clean_motion": ("min_motion", "mean grey-level change between frames (0-255)"),
    "clean_sharpness": ("min_sharpness", "variance of the Laplacian at 256 px"),
    "clean_cut_peak": (None, "peak shot-transition score (TransNetV2 probability, or HSV change)"),
    "clean_garment_background": ("min_garment_background", "share of the garment image's border in one colour"),
    "clean_garment_contrast": ("min_garment_contrast", "grey-level standard deviation of the garment image"),
}
THUMB_HEIGHT = 96


@dataclass
class CardFacts:
    name: str
    splits: dict[str, dict[str, Any]]
    stages: list[dict[str, Any]] = field(default_factory=list)
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    licenses: Counter = field(default_factory=Counter)
    thumbnails: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)
    orientation: dict[str, Any] = field(default_factory=dict)
    subsets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(part["count"] for part in self.splits.values())


def size_category(count: int) -> str:
    """The Hugging Face ``size_categories`` bucket of ``count`` samples."""
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if count < bound:
            return label
    return "1M<n<10M"


def _thumbnail(video: bytes, num_frames: int, name: str) -> bytes | None:
    try:
        frame = decode_video(video, indices=[max(0, num_frames // 2)], name=name)[0]  # the middle frame only
    except MediaError:
        return None
    width = max(2, round(frame.shape[1] * THUMB_HEIGHT / frame.shape[0]))
    import cv2

    small = cv2.resize(frame, (width, THUMB_HEIGHT), interpolation=cv2.INTER_AREA)
    return encode_image(small, quality=70)


def _thumbnails(dataset: Path, index: dict[str, Any], per_category: int) -> dict[str, list[tuple[str, bytes]]]:
    """The middle frame of the first ``per_category`` videos of each category, across splits."""
    found: dict[str, list[tuple[str, bytes]]] = {c: [] for c in CATEGORIES}
    for part in index["splits"].values():
        for shard in part["shards"]:
            for key, members in shard_samples(dataset / shard["path"], only=("json", "video.mp4")):
                meta = json.loads(members["json"])
                category = meta.get("category")
                if category in found and len(found[category]) < per_category and "video.mp4" in members:
                    frames = int(meta.get("num_frames") or 0)
                    thumb = _thumbnail(members["video.mp4"], frames, f"{shard['path']}:{key}")
                    if thumb:
                        found[category].append((key, thumb))
    return {c: thumbs for c, thumbs in found.items() if thumbs}


def _orientation_facts(ok: pd.DataFrame) -> dict[str, Any]:
    """How the kept samples face the camera (pose stage labels, :mod:`vivid_data.pose.orientation`)."""
    runs = pd.to_numeric(ok["pose_frontal_run"], errors="coerce").fillna(0)
    return {
        "samples": len(ok),
        "mean_frontal_share": float(pd.to_numeric(ok["pose_frontal_share"], errors="coerce").mean()),
        "with_back_frames": int((pd.to_numeric(ok["pose_back_share"], errors="coerce") > 0).sum()),
        "frontal_run_over_24": int((runs > 24).sum()),
        "frontal_run_64_or_more": int((runs >= 64).sum()),
    }


def _subset_facts(dataset: Path) -> list[dict[str, Any]]:
    found = []
    for path in sorted((dataset / "subsets").glob("*.json")):
        try:
            payload = json.loads(path.read_text())
        except json.JSONDecodeError:
            continue
        found.append(
            {
                "name": payload.get("name", path.stem),
                "split": payload.get("split"),
                "windows": len(payload.get("windows", [])),
                "frames": (payload.get("rule") or {}).get("window_frames"),
                "selected": payload.get("selected", {}),
                "caveat": (payload.get("rule") or {}).get("caveat", ""),
            }
        )
    return found


def _stage_facts(work_dir: Path) -> list[dict[str, Any]]:
    facts = []
    for stage in STAGES:
        path = work_dir / "stats" / f"{stage}.json"
        if path.is_file():
            stats = json.loads(path.read_text())
            facts.append({"stage": stage, "counts": stats.get("counts", {}), "reasons": stats.get("reasons", {})})
    return facts


ORIENTATION_COLUMNS = ("pose_frontal_share", "pose_back_share", "pose_frontal_run")


def gather(
    dataset: str | Path,
    work_dir: str | Path | None = None,
    thresholds: dict[str, float] | None = None,
    thumbs_per_category: int = 8,
) -> CardFacts:
    """What the card shows, read from the dataset folder and (optionally) the build's work directory."""
    dataset = Path(dataset)
    index = load_index(dataset / "dataset.json")
    facts = CardFacts(name=index.get("name") or dataset.parent.name, splits=index["splits"])
    facts.thumbnails = _thumbnails(dataset, index, thumbs_per_category)
    if work_dir is not None:
        work = Path(work_dir)
        facts.stages = _stage_facts(work)
        clean = work / "manifests" / "clean.parquet"
        if clean.is_file():
            frame = read_columns(clean, list(SCORES))
            for column in SCORES:
                if column in frame:
                    values = pd.to_numeric(frame[column], errors="coerce").dropna().to_numpy(dtype=float)
                    if values.size:
                        facts.scores[column] = values
        manifests = [work / "manifests" / f"{s}.parquet" for s in reversed(STAGES)]
        last = next((path for path in manifests if path.is_file()), None)
        if last is not None:
            final = read_columns(last, ["status", "license", *ORIENTATION_COLUMNS])
            ok = final[final["status"] == "ok"]
            if "license" in final:
                facts.licenses = Counter(str(v) for v in ok["license"].fillna("unknown"))
            if "pose_frontal_share" in final and len(ok):
                facts.orientation = _orientation_facts(ok)
    facts.subsets = _subset_facts(dataset)
    rules = thresholds or {}
    facts.thresholds = {
        column: float(rules[key]) for column, (key, _) in SCORES.items() if key is not None and key in rules
    }
    return facts


# ---- README.md (Hugging Face dataset card) -------------------------------------------------
def _licence_id(licenses: Counter) -> str:
    """One licence for the header: the samples' own when they all share one (``unknown`` when none
    says), else ``other``."""
    if len(licenses) == 1:
        only = next(iter(licenses))
        if only == "unknown" or not only:
            return "unknown"
        if " " not in only:
            return only.lower()
    return "other"


def _md(value: Any) -> str:
    """Text the build did not write (a dataset name, a licence, a rule's caveat) shown as text in Markdown:
    a renderer passes raw HTML through, so ``<script>`` in a name would run in a viewer."""
    return html.escape(str(value), quote=False).replace("|", "\\|")


def card_header(facts: CardFacts) -> dict[str, Any]:
    return {
        "pretty_name": facts.name,
        "license": _licence_id(facts.licenses),
        "task_categories": ["image-to-video"],
        "tags": ["virtual-try-on", "video", "webdataset", "vivid"],
        "size_categories": [size_category(facts.total)],
        "configs": [
            {
                "config_name": "default",
                "data_files": [
                    {"split": split, "path": f"shards/{split}/{split}-*.tar"}
                    for split, part in facts.splits.items()
                    if part["shards"]
                ],
            }
        ],
    }


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def card_markdown(facts: CardFacts) -> str:
    splits = list(facts.splits)
    counts = [[category, *(facts.splits[s]["categories"].get(category, 0) for s in splits)] for category in CATEGORIES]
    counts.append(["all", *(facts.splits[s]["count"] for s in splits)])
    parts = [
        "---\n" + yaml.safe_dump(card_header(facts), sort_keys=False) + "---",
        f"# {_md(facts.name)}",
        "Garment-video pairs for video virtual try-on (ViViD layout: a model video, the garment image, its "
        "mask, agnostic and DensePose videos, pose keypoints), built with the ViViD toolkit (`vivid-build`). "
        "`card.html` next to this file shows score histograms and thumbnails.",
        "## Contents\n\n" + _table(["category", *splits], counts),
    ]
    if facts.stages:
        rows = [
            [
                s["stage"],
                *(s["counts"].get(k, 0) for k in ("ok", "rejected", "failed")),
                ", ".join(f"{r} {n}" for r, n in s["reasons"].items()) or "-",
            ]
            for s in facts.stages
        ]
        parts.append(
            "## What the build kept and why it dropped the rest\n\n"
            + _table(["stage", "ok", "rejected", "failed", "reasons"], rows)
        )
    if facts.orientation:
        o = facts.orientation
        parts.append(
            "## Orientation\n\nFrom the pose keypoints (shoulder span and face visibility; per frame in "
            f"`keypoints.npz` as `orientation`): of {o['samples']} samples, on average "
            f"{o['mean_frontal_share']:.0%} of the frames face the camera; {o['with_back_frames']} have frames seen "
            f"from behind; {o['frontal_run_over_24']} have more than 24 consecutive frontal frames and "
            f"{o['frontal_run_64_or_more']} at least 64."
        )
    if facts.subsets:
        rows = [
            [
                s["name"],
                s["split"],
                s["windows"],
                s["frames"] or "whole video",
                ", ".join(f"{c} {n}" for c, n in s["selected"].items()),
                s["caveat"],
            ]
            for s in facts.subsets
        ]
        parts.append(
            "## Subsets\n\nIn `subsets/` (sample ids, frame windows and the rule); `vivid-eval built_subset=<name>` "
            "scores one.\n\n" + _table(["subset", "split", "windows", "frames", "per category", "caveat"], rows)
        )
    if facts.licenses:
        parts.append(
            "## Licences\n\nPer sample (`json.license`, with `json.attribution`): "
            + ", ".join(f"{_md(name)} ({n})" for name, n in facts.licenses.most_common())
            + ". Respect each sample's licence and attribution."
        )
    parts.append(_loading_section(facts))
    return "\n\n".join(parts) + "\n"


def _loading_section(facts: CardFacts) -> str:
    split = next(iter(facts.splits), "train")
    return f"""## Loading

Each sample is one group of members in a WebDataset tar under `shards/<split>/`:
`video.mp4`, `garment.jpg`, `garment_mask.png`, `agnostic.mp4`, `agnostic_mask.mp4`,
`densepose.mp4`, `pose.mp4`, `keypoints.npz` and `json` (metadata, scores, member sha256).

With the toolkit's loader (clips as tensors, sha256 checked):

```python
from torch.utils.data import DataLoader
from vivid_data.loader import ClipDataset
clips = DataLoader(ClipDataset("path/to/dataset", split="{split}"), batch_size=2)
```

With `webdataset`:

```python
import webdataset as wds
samples = wds.WebDataset("shards/{split}/{split}-{{000000..000000}}.tar")  # the shard names in dataset.json
```

With Hugging Face `datasets` (its `webdataset` builder; videos need `torchcodec` to decode, or
keep them as bytes):

```python
from datasets import Video, load_dataset
ds = load_dataset("path/to/dataset")  # the configs in this card's header
for name in ("video.mp4", "agnostic.mp4", "agnostic_mask.mp4", "densepose.mp4", "pose.mp4"):
    if name in ds["{split}"].features:
        ds = ds.cast_column(name, Video(decode=False))  # {{"bytes": ..., "path": ...}}
```
"""


# ---- card.html ------------------------------------------------------------------------------
def _histogram(values: np.ndarray, threshold: float | None, label: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(3.6, 2.2), dpi=80)
    axis.hist(values, bins=min(30, max(5, values.size // 2)), color="#4c72b0")
    if threshold is not None:
        axis.axvline(threshold, color="#c44e52", linewidth=1.5, label=f"threshold {threshold:g}")
        axis.legend(fontsize=7, loc="upper right")
    axis.set_xlabel(label, fontsize=7)
    axis.set_ylabel("samples", fontsize=7)
    axis.tick_params(labelsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def _img(data: bytes, mime: str, alt: str) -> str:
    return f'<img src="data:{mime};base64,{base64.b64encode(data).decode()}" alt="{html.escape(alt)}">'


def card_html(facts: CardFacts, markdown: str) -> str:
    esc = html.escape
    splits = list(facts.splits)
    body = [
        f"<h1>{esc(facts.name)}</h1>",
        f"<p>{facts.total} samples: " + ", ".join(f"{esc(s)} {facts.splits[s]['count']}" for s in splits) + "</p>",
    ]
    rows = "".join(
        f"<tr><td>{esc(c)}</td>"
        + "".join(f"<td>{facts.splits[s]['categories'].get(c, 0)}</td>" for s in splits)
        + "</tr>"
        for c in CATEGORIES
    )
    head = "".join(f"<th>{esc(s)}</th>" for s in splits)
    body.append(f'<h2>Contents</h2><table id="counts"><tr><th>category</th>{head}</tr>{rows}</table>')
    if facts.stages:
        stage_rows = "".join(
            f"<tr><td>{esc(s['stage'])}</td>"
            + "".join(f"<td>{s['counts'].get(k, 0)}</td>" for k in ("ok", "rejected", "failed"))
            + f"<td>{esc(', '.join(f'{r} {n}' for r, n in s['reasons'].items()) or '-')}</td></tr>"
            for s in facts.stages
        )
        body.append(
            '<h2>Stages</h2><table id="stages"><tr><th>stage</th><th>ok</th><th>rejected</th><th>failed</th>'
            f"<th>reasons</th></tr>{stage_rows}</table>"
        )
    if facts.orientation:
        o = facts.orientation
        body.append(
            f'<h2>Orientation</h2><p id="orientation">{o["samples"]} samples; frontal frames on average '
            f"{o['mean_frontal_share']:.0%}; {o['with_back_frames']} with frames seen from behind; "
            f"{o['frontal_run_over_24']} with more than 24 consecutive frontal frames</p>"
        )
    if facts.subsets:
        items = "".join(
            f"<tr><td>{esc(s['name'])}</td><td>{esc(str(s['split']))}</td><td>{s['windows']}</td>"
            f"<td>{esc(s['caveat'])}</td></tr>"
            for s in facts.subsets
        )
        body.append(
            '<h2>Subsets</h2><table id="subsets"><tr><th>subset</th><th>split</th><th>windows</th><th>caveat</th></tr>'
            f"{items}</table>"
        )
    if facts.scores:
        figures = "".join(
            f'<figure class="score">{_img(_histogram(v, facts.thresholds.get(c), c), "image/png", c)}'
            f"<figcaption>{esc(c)}: {esc(SCORES[c][1])}</figcaption></figure>"
            for c, v in facts.scores.items()
        )
        body.append(
            f"<h2>Clean scores</h2><p>All scored samples, kept and rejected; red: the threshold.</p>"
            f'<div class="grid">{figures}</div>'
        )
    for category, thumbs in facts.thumbnails.items():
        sheet = "".join(
            f'<figure class="thumb">{_img(data, "image/jpeg", key)}<figcaption>{esc(key[:12])}</figcaption></figure>'
            for key, data in thumbs
        )
        body.append(f'<h2>{esc(category)}</h2><div class="grid" id="sheet-{esc(category)}">{sheet}</div>')
    body.append(f"<h2>Card</h2><pre>{esc(markdown)}</pre>")
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,#subsets td{text-align:left}"
        ".grid{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}figcaption{font-size:11px;color:#555}"
        "pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}"
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(facts.name)}: dataset card</title>'
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
    )


def write_card(
    dataset: str | Path,
    work_dir: str | Path | None = None,
    thresholds: dict[str, float] | None = None,
) -> tuple[Path, Path]:
    """Write ``README.md`` and ``card.html`` into the dataset folder (atomically); returns both paths."""
    dataset = Path(dataset)
    facts = gather(dataset, work_dir, thresholds)
    markdown = card_markdown(facts)
    readme = atomic_write_text(dataset / "README.md", markdown)
    page = atomic_write_text(dataset / "card.html", card_html(facts, markdown))
    return Path(readme), Path(page)
