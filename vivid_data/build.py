"""Run a build from a composed config: source scan, ingest, manifest, stats, summary, optional export."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from vivid_data.atomic import atomic_write_text
from vivid_data.formats.release_layout import export_release_layout
from vivid_data.ingest_folder import STAGE, ingest_scan
from vivid_data.manifest import records_to_frame, save_manifest
from vivid_data.store import ContentStore
from vivid_data.summary import format_table, summary_table


def work_paths(work_dir: str | Path) -> dict[str, Path]:
    root = Path(work_dir).expanduser().resolve()
    return {
        "root": root,
        "store": root / "store",
        "manifests": root / "manifests",
        "stats": root / "stats",
    }


def run_build(cfg: DictConfig, progress: bool = True) -> dict:
    """Execute the configured build and return its stats (also written to ``stats/ingest.json``)."""
    paths = work_paths(cfg.work_dir)
    started = time.perf_counter()
    source = hydra.utils.instantiate(cfg.source, _convert_="all")
    scan = source.scan()
    store = ContentStore(paths["store"])
    source_config = OmegaConf.to_container(cfg.source, resolve=True)
    result = ingest_scan(scan, store, source_config, progress=progress)
    manifest = records_to_frame(result.records)
    manifest_path = save_manifest(manifest, paths["manifests"] / f"{STAGE}.parquet")
    counts = Counter(r.status for r in result.records)
    stats = {
        "stage": STAGE,
        "source": type(source).__name__,
        "root": str(scan.root),
        "layout": scan.layout,
        "pairs_found": len(scan.pairs),
        "counts": {status: counts.get(status, 0) for status in ("ok", "rejected", "failed")},
        "reasons": dict(Counter(r.reason for r in result.records if r.reason)),
        "problems": scan.problems,
        "unpaired": scan.unpaired,
        "duplicates": result.duplicates,
        "store_bytes": result.bytes_stored,
        "duration_s": round(time.perf_counter() - started, 3),
        "manifest": str(manifest_path),
    }
    atomic_write_text(paths["stats"] / f"{STAGE}.json", json.dumps(stats, indent=2) + "\n")
    print(format_table(summary_table(manifest)))
    for label, items in (("problems", scan.problems), ("unpaired videos", scan.unpaired),
                         ("duplicate pairs", result.duplicates)):
        if items:
            print(f"{len(items)} {label}: " + "; ".join(items[:10]) + (" ..." if len(items) > 10 else ""))
    for record in result.records:
        if record.status != "ok":
            print(f"{record.status}: {record.sample_id} ({record.video_name}): {record.stages[STAGE].get('detail')}")
    print(f"manifest: {manifest_path}")
    if cfg.get("export_to"):
        exported = export_release_layout(manifest, store, cfg.export_to)
        stats["exported_to"] = str(exported)
        print(f"exported the ok samples in the released ViViD layout to {exported}")
    return stats
