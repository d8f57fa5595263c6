"""``vivid-generate``: try-on videos for the test split, in the layout ``vivid-eval`` reads.

Writes ``<out_dir>/<sample id>.mp4`` (H.264, the source's fps; resized back to the source size
unless ``output_size=generation``) and ``<out_dir>/generation.json`` (settings, model, weight
reports, and per video the garment used and the seconds it took). A video already in
``out_dir`` is kept when the folder was made with the same settings, so an interrupted run
resumes where it stopped; with other settings the run refuses (``overwrite=true`` replaces the
earlier videos), never mixes. Every file is written atomically. A sample that fails to decode is
recorded in ``generation.json`` and skipped.
"""

from __future__ import annotations

import json
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from vivid_data.atomic import atomic_write_text
from vivid_data.devices import resolve_device
from vivid_data.output_settings import OutputSettingsError, claim
from vivid_data.samples import MemberChecksumError
from vivid_data.video import MediaError, encode_video
from vivid_data.weights import WeightsUnavailable
from vivid_data.windows import context_windows
from vivid_model.checkpoints import CheckpointError
from vivid_model.loading import load_model, resolve_dtype
from vivid_model.pipeline import GenerationSettings, ViViDPipeline
from vivid_model.samples import SampleError, dataset_samples, folder_samples


def samples_of(cfg: DictConfig):
    references = Path(cfg.references)
    if references.suffix == ".json" or (references / "dataset.json").is_file():
        return dataset_samples(references, cfg.split, cfg.setting, cfg.pose_input)
    if not cfg.pairs:
        raise SampleError(f"{references}: a ViViD folder needs pairs=PATH")
    return folder_samples(references, cfg.pairs, cfg.pose_input)


def generate(cfg: DictConfig, progress: bool = True) -> dict[str, Any]:
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    device = resolve_device(cfg.device)
    dtype = resolve_dtype(cfg.dtype, device)
    components = load_model(cfg.model)
    if not cfg.generation.cpu_offload:
        components.to(device, dtype)
    settings = GenerationSettings(**cfg.generation)
    pipeline = ViViDPipeline(components, device, dtype)
    record_path = out / "generation.json"
    made_with = {
        "settings": settings.record(),
        "model": OmegaConf.to_container(cfg.model),
        "setting": cfg.setting,
        "pose_input": cfg.pose_input,
        "output_size": cfg.output_size,
        "max_frames": cfg.max_frames,
        "dtype": str(dtype).removeprefix("torch."),
        "references": str(cfg.references),
        "pairs": cfg.get("pairs"),
        "split": cfg.split,
    }
    state = claim(out, "vivid-generate", made_with, bool(cfg.get("overwrite")), ("*.mp4", "generation.json"))
    resume = state == "resume" and record_path.is_file()
    record = json.loads(record_path.read_text()) if resume else {"videos": {}, "failed": {}}
    record.update(
        settings=settings.record(),
        model=OmegaConf.to_container(cfg.model),
        model_config=components.config.record(),
        weights=[r.summary() for r in components.reports],
        setting=cfg.setting,
        pose_input=cfg.pose_input,
        output_size=cfg.output_size,
        max_frames=cfg.max_frames,
        device=device,
        dtype=str(dtype).removeprefix("torch."),
        references=str(cfg.references),
        split=cfg.split,
    )
    samples = list(samples_of(cfg))[: cfg.limit or None]
    for sample in tqdm(samples, desc="generate", unit="video", disable=not progress):
        target = out / f"{sample.sample_id}.mp4"
        if target.is_file():
            continue
        started = time.perf_counter()
        try:
            data = sample.load()
        except (MediaError, MemberChecksumError, tarfile.TarError, OSError) as exc:  # recorded and skipped
            record["failed"][sample.sample_id] = str(exc)
            atomic_write_text(record_path, json.dumps(record, indent=2, sort_keys=True) + "\n")
            continue
        count = min(len(data["agnostic"]), len(data["agnostic_mask"]), len(data["pose"]), cfg.max_frames or 10**9)
        frames = pipeline(
            data["agnostic"][:count],
            data["agnostic_mask"][:count],
            data["garment"],
            data["garment_mask"],
            data["pose"][:count],
            settings,
            progress=False,
        )
        if cfg.output_size == "source":
            h, w = data["video"].shape[1:3]
            if (h, w) != frames.shape[1:3]:
                frames = np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_CUBIC) for f in frames])
        encode_video(frames, target, fps=sample.fps, reproducible=True)  # same seed, same bytes
        record["videos"][sample.sample_id] = {
            "garment": sample.garment_id,
            "frames": len(frames),
            # the context windows it was generated in: vivid-eval's seam metric reads them (seams=auto)
            "windows": context_windows(count, settings.context_frames, settings.context_overlap, settings.closed_loop),
            "seconds": round(time.perf_counter() - started, 3),
        }
        record["failed"].pop(sample.sample_id, None)
        atomic_write_text(record_path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    atomic_write_text(record_path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


def main(cfg: DictConfig) -> None:
    """The CLI's task (see vivid_model.cli:generate_main): user errors in one line, exit 2."""
    try:
        record = generate(cfg)
    except (
        SampleError,
        CheckpointError,
        WeightsUnavailable,
        OutputSettingsError,
        FileNotFoundError,
        ValueError,
    ) as exc:
        print(f"vivid-generate: error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"{len(record['videos'])} videos in {cfg.out_dir} ({len(record['failed'])} failed)")


if __name__ == "__main__":
    from vivid_model.cli import generate_main

    generate_main()
