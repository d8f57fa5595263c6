"""Run a build from a composed config: source -> stages (ingest, clean, ...) -> manifests, stats, summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hydra
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from vivid_data.atomic import remove_stale_temporaries
from vivid_data.candidates import save_candidates
from vivid_data.card import write_card
from vivid_data.executors.base import resources_of
from vivid_data.formats.release_layout import export_release_layout
from vivid_data.heap import use_returning_memory_pool
from vivid_data.manifest import load_manifest
from vivid_data.manifest_stream import iter_rows, read_columns
from vivid_data.shards.writer import write_dataset
from vivid_data.stages.runner import format_stage_summary, run_stage, write_stage_outputs
from vivid_data.store import ContentStore
from vivid_data.subsets import select, write_subset
from vivid_data.summary import SUMMARY_COLUMNS, format_table, summary_table
from vivid_data.worklock import WorkDirLock

#: candidate column -> the manifest column ingest makes of it
SOURCE_PROVIDES = {
    "video_src": "video",
    "garment_src": "garment",
    "garment_mask_src": "garment_mask",
    "agnostic_src": "agnostic",
    "agnostic_mask_src": "agnostic_mask",
    "densepose_src": "densepose",
}


class BuildConfigError(ValueError):
    """The stages asked for cannot run in this order (an input no earlier stage provides)."""


def work_paths(work_dir: str | Path) -> dict[str, Path]:
    root = Path(work_dir).expanduser().resolve()
    return {"root": root, "store": root / "store", "manifests": root / "manifests", "stats": root / "stats"}


def check_stage_inputs(stages: list[tuple[str, Any]], candidates: pd.DataFrame) -> None:
    """Every stage's declared inputs come from the source or an earlier stage, checked before anything runs."""
    available = {column for column in candidates.columns if candidates[column].notna().any()}
    available |= {made for src, made in SOURCE_PROVIDES.items() if src in available}
    names = [name for name, _ in stages]
    for name, stage in stages:
        needs = (
            stage.required_inputs(candidates) if hasattr(stage, "required_inputs") else getattr(stage, "requires", ())
        )
        missing = [column for column in needs if column not in available]
        if missing:
            makers = {
                "keypoints": "pose",
                "pose_person_mask": "pose",
                "pose": "pose",
                "video": "ingest",
                "garment": "ingest",
                "num_frames": "ingest",
                "fps": "ingest",
            }
            hint = sorted({makers[c] for c in missing if c in makers})
            raise BuildConfigError(
                f"stage {name} needs {', '.join(missing)}, which neither the source nor an earlier stage of "
                f"stages={names} provides" + (f"; run {' and '.join(hint)} before {name}" if hint else "")
            )
        available |= set(getattr(stage, "provides", ()))


def run_build(cfg: DictConfig, progress: bool = True, executor=None) -> dict:
    """Execute the configured stages in order; return the stats of each stage by name.

    One build at a time per work directory (an advisory lock names the other process);
    temporary files that killed runs left behind are removed first. ``executor`` reuses a
    started executor (a notebook's Ray cluster, a benchmark's warm pool) instead of the
    configured one, and is left open.
    """
    paths = work_paths(cfg.work_dir)
    use_returning_memory_pool()
    with WorkDirLock(paths["root"]):
        stale = remove_stale_temporaries(paths["root"])
        if stale:
            print(f"removed {len(stale)} temporary file(s) left by an interrupted run")
        return _run_locked(cfg, paths, progress, executor)


def _instantiate_stages(cfg: DictConfig, paths: dict[str, Path], row_stages: list[str]) -> list[tuple[str, Any]]:
    """The row stages, built; the shard settings (held-out benchmark lists included) are checked now too,
    before any row runs, not after every stage has."""
    stages = [
        (name, hydra.utils.instantiate(cfg[name], work_dir=str(paths["root"]), _convert_="all")) for name in row_stages
    ]
    if "shard" in cfg.stages:
        hydra.utils.instantiate(cfg.shard, _convert_="all")
    return stages


def print_source_notes(notes: dict) -> None:
    """What the source could not use, and the lines it folded together, before any row runs."""
    for label, items in (("problems", notes.get("problems")), ("unpaired videos", notes.get("unpaired"))):
        if items:
            print(f"{len(items)} {label}: " + "; ".join(items[:10]) + (" ..." if len(items) > 10 else ""))
    duplicates = notes.get("duplicates")
    if duplicates:
        print(
            f"{duplicates['lines']} line(s) repeat an earlier line's pair and were kept once: "
            + "; ".join(duplicates["examples"])
        )


def _run_locked(cfg: DictConfig, paths: dict[str, Path], progress: bool, executor) -> dict:
    source = hydra.utils.instantiate(cfg.source, _convert_="all")
    dataset_name = getattr(source, "dataset_name", None) or paths["root"].name
    row_stages = [s for s in cfg.stages if s != "shard"]  # shard is a dataset-level step after the rows
    stages = _instantiate_stages(cfg, paths, row_stages)
    owns_executor = executor is None
    all_stats: dict[str, dict] = {}
    try:
        with source.open() as found:
            check_stage_inputs(stages, found.candidates)
            if owns_executor:
                executor = hydra.utils.instantiate(cfg.executor, _convert_="all")
            candidates = save_candidates(found.candidates, paths["manifests"] / "candidates.parquet")
            print_source_notes(found.notes)
            found.candidates = None  # from here on, rows stream from the manifests on disk
            manifest: Path = candidates
            for stage_name, stage in stages:
                if hasattr(stage, "parallel_workers"):
                    stage.parallel_workers = executor.parallelism(resources_of(stage))
                report = run_stage(
                    stage, manifest, paths["root"], executor, retry_failed=cfg.retry_failed, progress=progress
                )
                if stage_name == row_stages[0]:
                    report.stats["source"] = {"type": type(source).__name__, **found.notes}
                write_stage_outputs(report, paths["root"])
                manifest = report.path
                all_stats[stage_name] = report.stats
                print_stage_report(report)
    finally:
        if owns_executor and executor is not None:
            executor.close()
    print(format_table(summary_table(read_columns(manifest, SUMMARY_COLUMNS))))
    print_problems(manifest)
    print(f"manifest: {manifest}")
    if "shard" in cfg.stages:
        all_stats["shard"] = _shard(cfg, paths, manifest, dataset_name, progress)
    if cfg.get("subset_rule"):
        all_stats["subset"] = build_subset(cfg, paths)
    if "shard" in cfg.stages or cfg.get("subset_rule"):  # the card shows the dataset and its subsets
        dataset = Path(all_stats.get("shard", {}).get("index") or _dataset_dir(cfg) / "dataset.json").parent
        filters = OmegaConf.to_container(cfg.clean.filters) if "clean" in row_stages else None
        readme, page = write_card(dataset, paths["root"], thresholds=filters)  # type: ignore[arg-type]
        print(f"[card] {readme} and {page.name}")
    if cfg.get("export_to"):
        exported = export_release_layout(load_manifest(manifest), ContentStore(paths["store"]), cfg.export_to)
        print(f"exported the ok samples in the released ViViD layout to {exported}")
    return all_stats


def print_stage_report(report) -> None:
    print(format_stage_summary(report))
    for note in report.stats.get("duplicates", [])[:10]:
        print(f"  duplicate: {note}")
    for death in report.stats.get("worker_deaths", [])[:10]:
        print(f"  worker died: {death}")


def _shard(cfg: DictConfig, paths: dict[str, Path], manifest: Path, dataset_name: str, progress: bool) -> dict:
    """The shard stage: a dataset-level step after the rows."""
    shard_config = hydra.utils.instantiate(cfg.shard, _convert_="all")
    shard_config.name = shard_config.name or dataset_name
    index = write_dataset(manifest, ContentStore(paths["store"]), shard_config, progress=progress)
    info = json.loads(index.read_text())
    counts = ", ".join(
        f"{split} {part['count']} in {len(part['shards'])} shard(s)" for split, part in info["splits"].items()
    )
    print(f"[shard] {counts}; {info['split_decision']}; index: {index}")
    return {"index": str(index), **{k: info[k] for k in ("split_decision", "leakage")}}


def _dataset_dir(cfg: DictConfig) -> Path:
    return Path(hydra.utils.instantiate(cfg.shard, _convert_="all").out_dir)


def build_subset(cfg: DictConfig, paths: dict[str, Path]) -> dict[str, Any]:
    """Select and write the configured subset of the dataset this work directory built."""
    rule = hydra.utils.instantiate(cfg.subset_rule, _convert_="all")
    dataset = _dataset_dir(cfg)
    if not (dataset / "dataset.json").is_file():
        raise BuildConfigError(f"subset={rule.name} needs a built dataset: {dataset}/dataset.json not found; run shard")
    subset = select(dataset, rule)
    path = write_subset(dataset, subset)
    chosen = ", ".join(f"{c} {n}" for c, n in subset.notes["selected"].items())
    short = subset.notes["shortfall"]
    print(
        f"[subset] {rule.name}: {len(subset.windows)} window(s) ({chosen}) from {subset.notes['considered']} "
        f"{rule.split} samples" + (f"; short of the quota: {short}" if short else "") + f"; {path}"
    )
    if subset.notes["without_orientation"]:
        print(f"  {subset.notes['without_orientation']} sample(s) have no orientation labels (built without pose)")
    return {"path": str(path), **subset.notes}


def print_problems(manifest: Path, limit: int = 20) -> None:
    """Rows that are not ok, with the URL or file and what was wrong; the rest are in the manifest."""
    shown = 0
    bad = 0
    for row in iter_rows(manifest, ["sample_id", "status", "reason", "detail", "video_name"]):
        if row["status"] == "ok":
            continue
        bad += 1
        if shown < limit:
            detail = row.get("detail") or row.get("video_name")
            print(f"{row['status']}: {row['sample_id']} [{row.get('reason')}] {detail}")
            shown += 1
    if bad > limit:
        print(f"... and {bad - limit} more not-ok rows: see the manifest's status, reason and detail columns")
