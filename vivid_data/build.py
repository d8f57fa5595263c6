"""Run a build from a composed config: source -> stages (ingest, clean, ...) -> manifests, stats, summary."""

from __future__ import annotations

from pathlib import Path

import hydra
import pandas as pd
from omegaconf import DictConfig

import json

from vivid_data.candidates import save_candidates
from vivid_data.formats.release_layout import export_release_layout
from vivid_data.manifest import validate_manifest
from vivid_data.shards.writer import write_dataset
from vivid_data.stages.runner import format_stage_summary, run_stage, write_stage_outputs
from vivid_data.store import ContentStore
from vivid_data.summary import format_table, summary_table


def work_paths(work_dir: str | Path) -> dict[str, Path]:
    root = Path(work_dir).expanduser().resolve()
    return {"root": root, "store": root / "store", "manifests": root / "manifests", "stats": root / "stats"}


def run_build(cfg: DictConfig, progress: bool = True, executor=None) -> dict:
    """Execute the configured stages in order; return the stats of each stage by name.

    ``executor`` reuses a started executor (a notebook's Ray cluster, a benchmark's warm pool)
    instead of the configured one, and is left open.
    """
    paths = work_paths(cfg.work_dir)
    source = hydra.utils.instantiate(cfg.source, _convert_="all")
    owns_executor = executor is None
    if owns_executor:
        executor = hydra.utils.instantiate(cfg.executor, _convert_="all")
    all_stats: dict[str, dict] = {}
    try:
        with source.open() as found:
            save_candidates(found.candidates, paths["manifests"] / "candidates.parquet")
            for label, items in (("problems", found.notes.get("problems")), ("unpaired videos", found.notes.get("unpaired"))):
                if items:
                    print(f"{len(items)} {label}: " + "; ".join(items[:10]) + (" ..." if len(items) > 10 else ""))
            frame: pd.DataFrame = found.candidates
            for stage_name in cfg.stages:
                if stage_name == "shard":
                    continue  # a dataset-level step, after the per-row stages
                stage = hydra.utils.instantiate(cfg[stage_name], work_dir=str(paths["root"]), _convert_="all")
                report = run_stage(stage, frame, paths["root"], executor, retry_failed=cfg.retry_failed,
                                   progress=progress)
                if stage_name == cfg.stages[0]:
                    report.stats["source"] = {"type": type(source).__name__, **found.notes}
                write_stage_outputs(report, paths["root"], validate=lambda f: validate_manifest(f, stage_name))
                frame = validate_manifest(report.frame, stage_name)
                all_stats[stage_name] = report.stats
                print(format_stage_summary(report))
                for note in report.stats.get("duplicates", [])[:10]:
                    print(f"  duplicate: {note}")
    finally:
        if owns_executor:
            executor.close()
    print(format_table(summary_table(frame)))
    for row in frame[frame["status"] != "ok"].itertuples():
        print(f"{row.status}: {row.sample_id} ({row.video_name}): {row.reason}")
    row_stages = [s for s in cfg.stages if s != "shard"]
    print(f"manifest: {paths['manifests'] / (row_stages[-1] + '.parquet')}")
    if "shard" in cfg.stages:
        shard_config = hydra.utils.instantiate(cfg.shard, _convert_="all")
        index = write_dataset(frame, ContentStore(paths["store"]), shard_config, progress=progress)
        info = json.loads(index.read_text())
        counts = ", ".join(f"{split} {part['count']} in {len(part['shards'])} shard(s)"
                           for split, part in info["splits"].items())
        print(f"[shard] {counts}; {info['split_decision']}; index: {index}")
        all_stats["shard"] = {"index": str(index), **{k: info[k] for k in ("split_decision", "leakage")}}
    if cfg.get("export_to"):
        exported = export_release_layout(frame, ContentStore(paths["store"]), cfg.export_to)
        print(f"exported the ok samples in the released ViViD layout to {exported}")
    return all_stats
