"""``vivid-eval``: score prediction videos against references under a named protocol.

Writes ``per_video.csv``, ``per_frame.csv`` and ``summary.json`` (protocol, package versions,
weight hashes, videos and frames used, each metric's mean with a bootstrap 95% interval) and
prints a table. A metric whose weights are missing is reported unavailable, with the command
or path that fixes it; the other metrics still run.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import torch
from omegaconf import DictConfig
from tqdm import tqdm

from vivid_data.atomic import atomic_write_text
from vivid_data.video import decode_video
from vivid_eval.inputs import EvaluationInputError, align, match
from vivid_eval.metrics.frechet import frechet_distance_of
from vivid_eval.metrics.lpips_metric import BackboneUnavailable, load_lpips, lpips_frames
from vivid_eval.metrics.ssim import ssim_video
from vivid_eval.metrics.flow import FlowConfig, RaftFlow, load_raft
from vivid_eval.metrics.temporal import reference_flows, temporal_flicker, warping_error
from vivid_eval.networks.checkpoints import load_i3d, load_resnext101
from vivid_eval.protocols import Protocol
from vivid_eval.strips import write_strip
from vivid_eval.summary import DIRECTIONS, bootstrap_ci
from vivid_eval.vfid import save_clip_features, video_clip_features
from vivid_data.weights import WeightsUnavailable, path_of
from vivid_data.store import sha256_file

PAIRED_METRICS = ("ssim", "lpips", "flicker", "warp")
VFID_NETWORKS = {"vfid_i3d": ("i3d_rgb_imagenet", load_i3d), "vfid_resnext": ("resnext101_kinetics", load_resnext101)}


def _versions() -> dict[str, str]:
    out = {}
    for name in ("vivid-toolkit", "torch", "torchvision", "lpips", "decord", "opencv-contrib-python", "numpy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _as_unit(frames: np.ndarray, device: str = "cpu") -> torch.Tensor:
    return torch.from_numpy(frames).to(device).permute(0, 3, 1, 2).double() / 255.0


def resolve_device(name: str) -> str:
    return ("cuda" if torch.cuda.is_available() else "cpu") if name == "auto" else name


def identity(cfg: DictConfig) -> dict[str, Any]:
    """What the leaderboard groups by: the method's name and the dataset and subset it was scored on."""
    references = Path(cfg.references)
    folder = references.parent if references.suffix == ".json" else references
    return {"method": cfg.get("method") or Path(cfg.predictions).resolve().name,
            "dataset": cfg.get("dataset") or folder.resolve().name,
            "subset": cfg.get("subset") or (cfg.split if (folder / "dataset.json").is_file() else "pairs"
                                             if cfg.get("pairs") else "all")}


def evaluate(cfg: DictConfig, progress: bool = True) -> dict[str, Any]:
    protocol: Protocol = hydra.utils.instantiate(cfg.protocol, _convert_="all")
    protocol = Protocol(**{**protocol.record(), "size": tuple(protocol.size), "value_range": tuple(protocol.value_range)})
    wanted = list(cfg.metrics)
    if cfg.setting == "unpaired":
        wanted = [m for m in wanted if m.startswith("vfid")]  # SSIM and LPIPS need the worn garment
    report = match(cfg.predictions, cfg.references, cfg.split, cfg.get("pairs"))
    if report.missing and cfg.on_missing == "error":
        raise EvaluationInputError(f"{len(report.missing)} reference(s) without a prediction: "
                                   f"{', '.join(report.missing[:10])}; set on_missing=skip to score the rest")
    if not report.pairs:
        raise EvaluationInputError(f"{cfg.predictions}: no prediction matches a reference")
    unavailable: dict[str, str] = {}
    device = resolve_device(cfg.device)
    lpips_model = None
    if "lpips" in wanted:
        try:
            lpips_model = load_lpips(cfg.lpips.net, random_backbone=cfg.lpips.random_backbone, device=device)
        except BackboneUnavailable as exc:
            unavailable["lpips"] = str(exc)
    networks, weight_hashes = {}, {}
    flow_config, raft = FlowConfig(**{**cfg.warp, "device": device}), None
    if "warp" in wanted and flow_config.method == "raft":
        try:
            raft = RaftFlow(load_raft(flow_config.raft_variant, flow_config.raft_checkpoint), device)
        except WeightsUnavailable as exc:
            unavailable["warp"] = str(exc)
            wanted.remove("warp")
    for metric in (m for m in wanted if m in VFID_NETWORKS):
        name, loader = VFID_NETWORKS[metric]
        try:
            path = path_of(name)
            networks[metric] = loader(path).to(device)
            weight_hashes[name] = sha256_file(path)
        except WeightsUnavailable as exc:
            unavailable[metric] = str(exc)

    rows, frame_rows = [], []
    strip_ids = {pair.sample_id for pair in report.pairs[:max(0, int(cfg.get("strips", 0)))]}
    features: dict[str, dict[str, list]] = {m: {"prediction": [], "reference": []} for m in networks}
    for pair in tqdm(report.pairs, desc="evaluate", unit="video", disable=not progress):
        prediction, reference = align(decode_video(pair.prediction), pair.reference(), pair.sample_id, cfg.mismatch)
        row: dict[str, Any] = {"sample_id": pair.sample_id, "frames": len(prediction)}
        per_frame: dict[str, np.ndarray] = {}
        if "ssim" in wanted:
            pair_frames = (prediction, reference) if device == "cpu" else (_as_unit(prediction, device), _as_unit(reference, device))
            row["ssim"], values = ssim_video(*pair_frames)
            per_frame["ssim"] = values.cpu().numpy()
        if lpips_model is not None:
            values = lpips_frames(lpips_model, _as_unit(prediction).float(), _as_unit(reference).float())
            row["lpips"], per_frame["lpips"] = float(values.mean()), values.numpy()
        if "flicker" in wanted:
            row["flicker_prediction"] = temporal_flicker(prediction)
            row["flicker_reference"] = temporal_flicker(reference)
            row["flicker_diff"] = abs(row["flicker_prediction"] - row["flicker_reference"])
        if "warp" in wanted:
            flows = reference_flows(reference, flow_config, raft)
            row["warp_prediction"] = warping_error(prediction, flows)[0]
            row["warp_reference"] = warping_error(reference, flows)[0]
        for metric, network in networks.items():
            extract = lambda clips, net=network: net.features(clips.to(device))  # noqa: E731
            features[metric]["prediction"].append(video_clip_features(prediction, protocol, extract))
            features[metric]["reference"].append(video_clip_features(reference, protocol, extract))
        if pair.sample_id in strip_ids:
            write_strip(Path(cfg.out_dir) / "strips" / f"{pair.sample_id}.png", reference, prediction)
        rows.append(row)
        for t in range(len(prediction)):
            frame_rows.append({"sample_id": pair.sample_id, "frame": t,
                               **{k: float(v[t]) for k, v in per_frame.items()}})

    summary: dict[str, Any] = {
        **identity(cfg),
        "protocol": protocol.record(), "setting": cfg.setting, "versions": _versions(), "weights": weight_hashes,
        "device": device, "warp_flow": flow_config.record() if "warp" in wanted else None,
        "videos": len(rows), "frames": int(sum(r["frames"] for r in rows)),
        "missing_predictions": report.missing, "extra_predictions": report.extra,
        "unavailable": unavailable, "metrics": {},
    }
    if lpips_model is not None:
        summary["lpips_net"] = cfg.lpips.net + (" (random backbone: test only, not comparable)" if cfg.lpips.random_backbone else "")
    per_video_metrics = [k for k in rows[0] if k not in ("sample_id", "frames")]
    for metric in per_video_metrics:
        mean, low, high = bootstrap_ci([r[metric] for r in rows], seed=cfg.seed)
        summary["metrics"][metric] = {"mean": mean, "ci95": [low, high], "direction": DIRECTIONS.get(metric)}
    for metric, sets in features.items():
        pred, ref = np.concatenate(sets["prediction"]), np.concatenate(sets["reference"])
        if len(pred) < 2 or len(ref) < 2:
            unavailable[metric] = f"needs at least two {protocol.clip_len}-frame clips per side"
            continue
        summary["metrics"][metric] = {"value": frechet_distance_of(pred, ref), "direction": "lower",
                                      "prediction_clips": len(pred), "reference_clips": len(ref)}
        save_clip_features(Path(cfg.out_dir) / "features" / f"{metric}.npz", [r["sample_id"] for r in rows],
                           sets["prediction"], sets["reference"])
    write_outputs(Path(cfg.out_dir), rows, frame_rows, summary)
    print(format_summary(summary))
    return summary


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
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=2, sort_keys=True) + "\n")


def format_summary(summary: dict) -> str:
    lines = [f"{summary['method']} on {summary['dataset']} / {summary['subset']}: protocol {summary['protocol']['id']} v{summary['protocol']['version']}, {summary['setting']}, "
             f"{summary['videos']} videos, {summary['frames']} frames"]
    for name, value in summary["metrics"].items():
        if "value" in value:
            lines.append(f"  {name:18s} {value['value']:.4f}  ({value['prediction_clips']} / {value['reference_clips']} clips)")
        else:
            lines.append(f"  {name:18s} {value['mean']:.4f}  [{value['ci95'][0]:.4f}, {value['ci95'][1]:.4f}]")
    for name, reason in summary["unavailable"].items():
        lines.append(f"  {name:18s} unavailable: {reason}")
    return "\n".join(lines)


@hydra.main(version_base="1.3", config_path="pkg://vivid_conf", config_name="eval")
def main(cfg: DictConfig) -> None:
    try:
        evaluate(cfg)
    except (EvaluationInputError, FileNotFoundError, ValueError) as exc:
        print(f"vivid-eval: error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
