"""``vivid-eval``: score prediction videos against references under a named protocol.

Writes ``per_video.csv``, ``per_frame.csv`` and ``summary.json`` (what was measured on which
reference set, under which protocol, package versions, weight hashes, each metric's mean with
a bootstrap 95% interval over videos) and prints a table. The metrics are the registry's
(``metrics=[...]`` selects them, ``metric.<name>.<option>=...`` configures them); a metric that
cannot run here is reported ``unavailable`` with the fix, a video one metric cannot score is
named with the reason, and the run exits non-zero when no requested metric could be computed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from vivid_data.atomic import atomic_write_text
from vivid_data.benchmark_lists import PUBLISHED_SUBSETS, BenchmarkListError, Definition, load_definition
from vivid_data.devices import resolve_device
from vivid_data.output_settings import OutputSettingsError, claim
from vivid_eval.breakdowns import breakdowns, view_shares
from vivid_eval.deviations import deviations_of
from vivid_eval.inputs import (
    EvaluationInputError,
    VideoPair,
    align,
    dataset_name,
    inspect,
    is_dataset,
    match,
    reference_set,
)
from vivid_eval.metrics.base import MetricUnavailable, VideoMetric, VideoSkipped
from vivid_eval.metrics.registry import BY_COLUMN, direction
from vivid_eval.metrics.seams import WindowPlanError, plan_for, window_plans
from vivid_eval.names import check_labels
from vivid_eval.per_frame_sources import MASK_LOADER
from vivid_eval.protocols import Protocol
from vivid_eval.strips import write_strip
from vivid_eval.summary import bootstrap_ci
from vivid_eval.vfid import VFID, save_metric_features

SETTINGS = ("paired", "unpaired")


class NothingMeasured(EvaluationInputError):
    """No requested metric could be computed: the run produced no number."""


def _versions() -> dict[str, str]:
    out = {}
    for name in ("vivid-toolkit", "torch", "torchvision", "lpips", "decord", "opencv-contrib-python", "numpy", "scipy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def identity(cfg: DictConfig) -> dict[str, Any]:
    """What the leaderboard groups by: the method, and the dataset and subset it was scored on (checked)."""
    references = Path(cfg.references)
    folder = references.parent if references.suffix == ".json" else references
    labels = {
        "method": cfg.get("method") or Path(cfg.predictions).resolve().name,
        "dataset": cfg.get("dataset")
        or ("ViViD" if cfg.get("subset") in PUBLISHED_SUBSETS else None)
        or dataset_name(references)
        or folder.resolve().name,
        "subset": cfg.get("subset")
        or _built_subset_name(cfg)
        or (cfg.split if (folder / "dataset.json").is_file() else "pairs" if cfg.get("pairs") else "all"),
    }
    given = {"dataset": bool(cfg.get("dataset")), "subset": bool(cfg.get("subset"))}
    # a label the user typed is checked (a typo would put the result in a section of its own);
    # one derived from a folder or dataset name is taken as it is
    check_labels(labels["dataset"] if given["dataset"] else None, labels["subset"] if given["subset"] else None)
    return {**labels, "labels_given": given}


def published_definition(cfg: DictConfig) -> Definition | None:
    """The registered definition when ``subset`` names a published list (vivid_s), read and checked."""
    subset = cfg.get("subset")
    if subset not in PUBLISHED_SUBSETS:
        return None
    try:
        return load_definition(subset, cfg.setting, cfg.get("benchmark_dir"))
    except BenchmarkListError as exc:
        raise EvaluationInputError(str(exc)) from exc


def _built_subset_name(cfg: DictConfig) -> str | None:
    """The leaderboard label of a built subset: its name (``vivid_s_like``), or its file's stem."""
    chosen = cfg.get("built_subset")
    return Path(str(chosen)).stem if chosen else None


def refuse_unpaired_references(pairs: list, setting: str) -> None:
    """Paired metrics compare a try-on with the video of the person wearing the garment: references whose
    source says the video wears another garment (the official ViViD examples) cannot be scored paired."""
    if setting != "paired":
        return
    unpaired = sorted(p.sample_id for p in pairs if p.reference_facts.get("setting") == "unpaired")
    if unpaired:
        raise EvaluationInputError(
            f"{len(unpaired)} reference(s) are unpaired (their video wears another garment than the listed one): "
            + ", ".join(unpaired[:5])
            + "; SSIM and LPIPS against them would measure the garment swap. Evaluate with setting=unpaired"
        )


#: what an evaluation folder holds; replaced together when overwrite=true
EVAL_OUTPUTS = ("summary.json", "per_video.csv", "per_frame.csv", "features/*.npz", "strips/*.jpg")


def claim_out_dir(cfg: DictConfig) -> None:
    """Refuse an ``out_dir`` that holds an evaluation made with other settings (its columns would be lost
    without a word); ``overwrite=true`` replaces it. The same settings again simply recompute."""
    settings = {str(k): v for k, v in dict(OmegaConf.to_container(cfg, resolve=True)).items()}  # type: ignore[arg-type]
    for key in ("out_dir", "device", "verbose", "overwrite", "strips"):
        settings.pop(key, None)
    try:
        claim(cfg.out_dir, "vivid-eval", settings, bool(cfg.get("overwrite")), EVAL_OUTPUTS)
    except OutputSettingsError as exc:
        raise EvaluationInputError(str(exc)) from exc


def build_metrics(cfg: DictConfig, protocol: Protocol, device: str) -> tuple[dict[str, VideoMetric], dict[str, str]]:
    """The requested metrics, set up; and the reason for each one that cannot run."""
    ready: dict[str, VideoMetric] = {}
    unavailable: dict[str, str] = {}
    for name in cfg.metrics:
        if name not in cfg.metric:
            raise EvaluationInputError(f"unknown metric {name!r}; known: {', '.join(cfg.metric)}")
        metric: VideoMetric = hydra.utils.instantiate(cfg.metric[name], _convert_="all")
        if cfg.setting not in metric.settings:
            unavailable[name] = f"not measured in the {cfg.setting} setting (needs the garment worn in the reference)"
            continue
        try:
            ready[name] = metric.setup(device, protocol)
        except MetricUnavailable as exc:
            unavailable[name] = str(exc)
    return ready, unavailable


def _needs(metrics: dict[str, VideoMetric], what: str) -> bool:
    return any(what in metric.needs for metric in metrics.values())


NO_MASKS = (
    "the references carry no agnostic masks (a built dataset has agnostic_mask members, a ViViD folder "
    "agnostic_mask/<video>.mp4); give masks=FOLDER of <sample id>.mp4 mask videos"
)


def _drop_without_context(
    metrics: dict[str, VideoMetric], unavailable: dict[str, str], pairs: list, have_plan: bool, plan_note: str
) -> None:
    """Metrics whose context no reference can give are unavailable, with the way to give it."""
    has_mask = any(MASK_LOADER in pair.reference_facts for pair in pairs)
    for name, metric in list(metrics.items()):
        if "mask" in metric.needs and not has_mask:
            unavailable[name] = NO_MASKS
        elif "windows" in metric.needs and not have_plan:
            unavailable[name] = (
                f"no window plan ({plan_note}): windows=auto reads vivid-generate's generation.json beside the "
                "predictions; give windows=uniform:SIZE:OVERLAP or a JSON file {sample id: [[frame, ...], ...]}"
            )
        else:
            continue
        del metrics[name]


def _mask_for(pair: VideoPair, frames: int, size: tuple[int, int]) -> np.ndarray | str:
    """The pair's mask for its scored frames, or the reason it has none usable."""
    mask = pair.mask()
    if mask is None:
        return "no agnostic mask for this reference"
    if len(mask) < frames or mask.shape[1:3] != tuple(size):
        return f"agnostic mask {mask.shape} (frames, height, width) does not cover the {frames} scored frames of {size}"
    return mask[:frames]


def score_pair(
    metrics: dict[str, VideoMetric],
    sample_id: str,
    prediction: np.ndarray,
    reference: np.ndarray,
    context: dict[str, Any],
    row: dict[str, Any],
    skipped: dict[str, dict[str, str]],
) -> dict[str, np.ndarray]:
    """Every metric on one video pair: its columns go into ``row``, its per-frame values are returned, and a
    metric that cannot score this video (too short, no mask, no window plan) is recorded in ``skipped``."""
    per_frame: dict[str, np.ndarray] = {}
    for name, metric in metrics.items():
        if isinstance(metric, VFID):
            metric.update(prediction, real=False, ids=[sample_id])
            metric.update(reference, real=True, ids=[sample_id])
            continue
        given = {key: context[key] for key in metric.needs}
        reasons = [
            value if isinstance(value, str) else f"no window plan for {sample_id}"
            for value in given.values()
            if value is None or isinstance(value, str)
        ]
        if reasons:
            skipped.setdefault(name, {})[sample_id] = reasons[0]
            continue
        try:
            metric.update(prediction, reference, **given)
        except VideoSkipped as exc:
            skipped.setdefault(name, {})[sample_id] = str(exc)
            continue
        row.update(metric.last)
        per_frame.update(metric.last_frames)
    return per_frame


def evaluate(cfg: DictConfig, progress: bool = True, echo: bool = True) -> dict[str, Any]:
    if cfg.setting not in SETTINGS:
        raise EvaluationInputError(f"setting must be one of {SETTINGS}, got {cfg.setting!r}")
    protocol: Protocol = hydra.utils.instantiate(cfg.protocol, _convert_="all")
    labels = identity(cfg)
    definition = published_definition(cfg)
    report = match(
        cfg.predictions,
        cfg.references,
        cfg.split,
        cfg.get("pairs"),
        cfg.on_missing,
        cfg.get("built_subset"),
        definition,
        cfg.get("masks"),
    )
    refuse_unpaired_references(report.pairs, cfg.setting)
    policies = inspect(report.pairs, cfg.mismatch, cfg.fps_mismatch)
    try:
        plans, uniform, plan_note = window_plans(cfg.get("windows"), cfg.predictions)
    except WindowPlanError as exc:
        raise EvaluationInputError(str(exc)) from exc
    claim_out_dir(cfg)
    device = resolve_device(cfg.device)
    metrics, unavailable = build_metrics(cfg, protocol, device)
    _drop_without_context(metrics, unavailable, report.pairs, plans is not None or uniform is not None, plan_note)
    if not metrics:
        raise NothingMeasured(
            "no requested metric can be computed:\n  "
            + "\n  ".join(f"{name}: {reason}" for name, reason in unavailable.items())
        )

    rows, frame_rows = [], []
    skipped: dict[str, dict[str, str]] = {}
    strip_ids = {pair.sample_id for pair in report.pairs[: max(0, int(cfg.get("strips", 0)))]}
    for pair in tqdm(report.pairs, desc="evaluate", unit="video", disable=not progress):
        prediction, reference = align(pair.prediction_frames(), pair.reference(), pair.sample_id, cfg.mismatch)
        row: dict[str, Any] = {
            "sample_id": pair.sample_id,
            "frames": len(prediction),
            "height": reference.shape[1],  # SSIM and LPIPS are measured at the reference's own size
            "width": reference.shape[2],
            "frames_prediction": pair.prediction_facts.get("frames"),
            "frames_reference": pair.reference_facts.get("frames"),
            "fps_prediction": pair.prediction_facts.get("fps"),
            "fps_reference": pair.reference_facts.get("fps"),
            "category": pair.reference_facts.get("category"),
        }
        if definition is not None:  # the listed window and garment (another sample's in the unpaired setting)
            row.update(
                window_start=pair.reference_facts["window"][0],
                window_end=pair.reference_facts["window"][1],
                garment=pair.reference_facts.get("garment"),
            )
        codes = pair.orientation()
        if codes is not None:
            row.update(view_shares(codes[: len(prediction)]))
        context = {
            "mask": _mask_for(pair, len(prediction), reference.shape[1:3]) if _needs(metrics, "mask") else None,
            "windows": plan_for(pair.sample_id, len(prediction), plans, uniform)
            if _needs(metrics, "windows")
            else None,
        }
        per_frame = score_pair(metrics, pair.sample_id, prediction, reference, context, row, skipped)
        if pair.sample_id in strip_ids:
            write_strip(Path(cfg.out_dir) / "strips" / f"{pair.sample_id}.jpg", reference, prediction)
        rows.append(row)
        for t in range(len(prediction)):
            frame_rows.append(
                {"sample_id": pair.sample_id, "frame": t, **{k: float(v[t]) for k, v in per_frame.items()}}
            )

    summary = summarise(cfg, labels, protocol, report, policies, device, metrics, unavailable, skipped, rows)
    summary["window_plan"] = plan_note
    write_outputs(Path(cfg.out_dir), rows, frame_rows, summary)
    if echo:
        print(format_summary(summary))
    if not summary["metrics"]:
        raise NothingMeasured(f"{cfg.out_dir}: no metric produced a number (see 'unavailable' in summary.json)")
    return summary


def summarise(cfg, labels, protocol, report, policies, device, metrics, unavailable, skipped, rows) -> dict[str, Any]:
    summary: dict[str, Any] = {
        **labels,
        "protocol": protocol.record(),
        "setting": cfg.setting,
        "versions": _versions(),
        "reference_set": {**reference_set(cfg.references, cfg.split, report.pairs, report), "setting": cfg.setting},
        "device": device,
        "videos": len(rows),
        "frames": int(sum(r["frames"] for r in rows)),
        "missing_predictions": report.missing,
        "extra_predictions": report.extra,
        **policies,
        "metric_settings": {name: m.describe() for name, m in metrics.items()},
        "weights": {m.weights[0]: m.weight_hash for m in metrics.values() if getattr(m, "weight_hash", None)},
        "unavailable": dict(unavailable),
        "skipped_videos": skipped,
        "metrics": {},
    }
    if "lpips" in metrics:
        summary["lpips_net"] = metrics["lpips"].describe()["net"]
    if "warp" in metrics:
        summary["warp_flow"] = metrics["warp"].flow.record()
    for name, metric in metrics.items():
        if isinstance(metric, VFID):
            metric.order = listing_order(cfg) if cfg.vfid_order == "listing" else metric.order
            try:
                result = metric.result()
            except MetricUnavailable as exc:
                summary["unavailable"][name] = str(exc)
                continue
            summary["metrics"][name] = {**result, "direction": "lower"}
            save_metric_features(Path(cfg.out_dir) / "features" / f"{name}.npz", metric, [r["sample_id"] for r in rows])
            continue
        for column in metric.columns:
            values = [r[column] for r in rows if column in r]
            if not values:
                summary["unavailable"].setdefault(name, "no video could be scored (see skipped_videos)")
                continue
            mean, low, high = bootstrap_ci(values, seed=cfg.seed)
            summary["metrics"][column] = {
                "mean": mean,
                "ci95": [low, high] if len(values) >= 2 else None,
                "videos": len(values),
                "direction": direction(column) if column in BY_COLUMN else None,
            }
    columns = [c for m in metrics.values() if not isinstance(m, VFID) for c in m.columns]
    summary["breakdowns"] = breakdowns(rows, columns, seed=cfg.seed)
    sizes = sorted({f"{r['width']}x{r['height']}" for r in rows})
    summary["ssim_resolution"] = {
        "mode": "native: every frame at its reference's own size, never resized for SSIM or LPIPS",
        "sizes": sizes,
        "predictions_resized": policies.get("mismatch_policy") == "resize"
        and bool((policies.get("mismatched_videos") or {}).get("size")),
    }
    summary["masks"] = str(cfg.get("masks") or "the references' own agnostic masks")
    summary["deviations"] = deviations_of(summary)
    return summary


def listing_order(cfg: DictConfig) -> dict[str, list[str] | None]:
    """The folders' listing order (``os.scandir``, as CatV2TON's ``glob``): its VFID clip allocation depends on it.
    A built dataset has no listing order: its references stay in sample-id order."""

    def stems(folder: Path) -> list[str]:
        return [Path(e.name).stem for e in os.scandir(folder) if e.name.endswith(".mp4")]

    references = Path(cfg.references)
    return {
        "prediction": stems(Path(cfg.predictions)),
        "reference": None if is_dataset(references) else stems(references / "videos"),
    }


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    columns = list(dict.fromkeys(k for r in rows for k in r))
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_outputs(out: Path, rows: list[dict], frame_rows: list[dict], summary: dict) -> None:
    atomic_write_text(out / "per_video.csv", _csv(rows))
    atomic_write_text(out / "per_frame.csv", _csv(frame_rows))
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")


def format_summary(summary: dict) -> str:
    ref = summary["reference_set"]
    lines = [
        f"{summary['method']} on {summary['dataset']} / {summary['subset']}: protocol {summary['protocol']['id']} "
        f"v{summary['protocol']['version']}, {summary['setting']}, {summary['videos']} videos, "
        f"{summary['frames']} frames (reference set {ref['ids_sha256']})"
    ]
    for name, value in summary["metrics"].items():
        if "value" in value:
            lines.append(
                f"  {name:18s} {value['value']:.4f}  ({value['prediction_clips']} / {value['reference_clips']} clips)"
            )
        elif value["ci95"] is None:
            lines.append(f"  {name:18s} {value['mean']:.4f}  (1 video: no interval)")
        else:
            lines.append(f"  {name:18s} {value['mean']:.4f}  [{value['ci95'][0]:.4f}, {value['ci95'][1]:.4f}]")
    for name, reason in summary["unavailable"].items():
        lines.append(f"  {name:18s} unavailable: {reason}")
    for name, videos in summary["skipped_videos"].items():
        lines.append(
            f"  {name:18s} skipped {len(videos)} video(s): "
            + "; ".join(f"{k}: {v}" for k, v in list(videos.items())[:3])
        )
    benchmark = ref.get("benchmark")
    if benchmark:
        missing = benchmark["missing_clips"]
        lines.append(
            f"  {benchmark['name']} ({benchmark['setting']}, list sha256 {benchmark['sha256'][:12]}): "
            f"{benchmark['clips_scored']} of {benchmark['clips']} clips scored"
            + (
                f"; missing {len(missing)}: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"
                if missing
                else ""
            )
        )
    for deviation in summary.get("deviations", []):
        lines.append(f"  deviation: {deviation} (not ranked with published rows)")
    return "\n".join(lines)


def evaluate_folder(
    predictions: str | os.PathLike,
    references: str | os.PathLike,
    out_dir: str | os.PathLike,
    metrics: list[str] | None = None,
    progress: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """The Python entry point: ``vivid-eval`` with keyword arguments; returns the summary.

    ``options`` are config keys as on the command line (``protocol="catv2ton_compat"``,
    ``setting="unpaired"``, ``metric={"lpips": {"net": "squeeze"}}``, ...).
    """
    from hydra import compose, initialize_config_module

    overrides = [f"predictions={predictions}", f"references={references}", f"out_dir={out_dir}"]
    if metrics is not None:
        overrides.append(f"metrics=[{','.join(metrics)}]")
    for key, value in options.items():
        if isinstance(value, dict):
            overrides += [f"{key}.{name}.{k}={v}" for name, settings in value.items() for k, v in settings.items()]
        else:
            overrides.append(f"{key}={value}")
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        cfg = compose(config_name="eval", overrides=overrides)
    return evaluate(cfg, progress=progress, echo=False)


def main(cfg: DictConfig) -> None:
    """The CLI's task (see vivid_eval.cli:main): user errors in one line, exit 2."""
    try:
        evaluate(cfg)
    except (EvaluationInputError, FileNotFoundError, ValueError) as exc:
        print(f"vivid-eval: error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    from vivid_eval.cli import main as cli_main

    cli_main()
