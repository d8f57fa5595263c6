"""Shared fixtures: the real ViViD sample (never skipped in CI) and a small generated example."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from vivid_data.example import ExampleSpec, generate_example

REPO = Path(__file__).resolve().parents[1]
SHARED_SAMPLES = REPO.parent / "shared" / "samples" / "vivid_examples"
SHARED_BENCHMARKS = REPO.parent / "shared" / "benchmarks" / "vivid_s"
SHARED_CLIPS = REPO.parent / "shared" / "samples" / "vivid_dataset_clips"
SMALL_SPEC = ExampleSpec(per_category=2, num_frames=12, height=128, width=96, fps=24, seed=3)


@pytest.fixture(scope="session")
def vivid_samples() -> Path:
    """``../shared/samples/vivid_examples``: skipped on a user's machine without it, required in CI."""
    if not SHARED_SAMPLES.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the real sample folder {SHARED_SAMPLES} is missing")
        pytest.skip(f"real ViViD sample folder {SHARED_SAMPLES} not present")
    return SHARED_SAMPLES


@pytest.fixture(scope="session")
def vivid_dataset_clips() -> Path:
    """``../shared/samples/vivid_dataset_clips`` (a released-layout lower-body clip with a fade and a cut):
    skipped on a user's machine without it, required in CI."""
    if not SHARED_CLIPS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the real clip folder {SHARED_CLIPS} is missing")
        pytest.skip(f"real ViViD clip folder {SHARED_CLIPS} not present")
    return SHARED_CLIPS


@pytest.fixture(scope="session")
def vivid_s_lists() -> Path:
    """``../shared/benchmarks/vivid_s``: MagicTryOn's ViViD-S lists (reference data, never in the repository);
    skipped on a user's machine without them, required in CI."""
    if not (SHARED_BENCHMARKS / "test_data_180_paired.jsonl").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the published ViViD-S lists {SHARED_BENCHMARKS} are missing")
        pytest.skip(f"published ViViD-S lists {SHARED_BENCHMARKS} not present")
    return SHARED_BENCHMARKS


@pytest.fixture
def vivid_s_home(vivid_s_lists: Path, monkeypatch) -> Path:
    """The lists where vivid-eval and the shard step look for them (``$VIVID_BENCHMARKS``)."""
    monkeypatch.setenv("VIVID_BENCHMARKS", str(vivid_s_lists))
    return vivid_s_lists


@pytest.fixture(scope="session")
def small_example(tmp_path_factory) -> Path:
    """A generated released-layout folder (2 samples per category, 12 frames of 128x96); read-only."""
    return generate_example(tmp_path_factory.mktemp("example") / "vivid", SMALL_SPEC)


@pytest.fixture
def rgb_clip() -> np.ndarray:
    """A smooth moving gradient with texture: 8 frames of 64x80, compressible like real video."""
    t, h, w = 8, 64, 80
    yy, xx = np.mgrid[0:h, 0:w]
    frames = []
    for i in range(t):
        r = (xx * 3 + i * 4) % 256
        g = (yy * 4 + i * 2) % 256
        b = ((xx + yy) * 2 + i * 8) % 256
        frames.append(np.stack([r, g, b], -1))
    return np.asarray(frames, dtype=np.uint8)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def import_folder(root: Path, work_dir: Path, **source_options):
    """Import a ViViD folder through the real ingest stage (in-process); returns the validated manifest."""
    from vivid_data.executors.local import LocalExecutor
    from vivid_data.manifest import validate_manifest
    from vivid_data.sources.vivid_folder import VividFolderSource
    from vivid_data.stages.ingest import IngestStage
    from vivid_data.stages.runner import run_stage

    with VividFolderSource(path=str(root), **source_options).open() as found:
        report = run_stage(
            IngestStage(work_dir=str(work_dir)), found.candidates, work_dir, LocalExecutor(workers=1), progress=False
        )
    return validate_manifest(report.frame), report


@pytest.fixture(scope="session")
def upper1_frames(vivid_samples: Path) -> np.ndarray:
    from vivid_data.video import decode_video

    return decode_video(vivid_samples / "videos" / "upper1.mp4")


@pytest.fixture(scope="session")
def upper1_track(upper1_frames: np.ndarray):
    """MediaPipe pose of the real sample (computed once per session: about 5 s)."""
    from vivid_data.pose.mediapipe_backend import MediapipePose

    return MediapipePose()(upper1_frames)


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


@pytest.fixture(scope="session")
def sanity_report(vivid_samples: Path, tmp_path_factory) -> dict[str, Path]:
    """The whole leaderboard path on real frames: a small ViViD folder (3 downscaled 16-frame clips of the
    shared sample with their agnostic videos and masks), vivid-sanity, vivid-eval per baseline (region
    metrics included), vivid-leaderboard."""
    from hydra import compose, initialize_config_module

    from vivid_data.video import decode_video, encode_video
    from vivid_eval.evaluate import evaluate
    from vivid_eval.leaderboard_cli import run
    from vivid_eval.sanity import write_sanity_baselines

    root = tmp_path_factory.mktemp("leaderboard")
    references = root / "refs"
    for folder in ("videos", "agnostic", "agnostic_mask"):
        for name, start in (("clip_a", 0), ("clip_b", 16), ("clip_c", 32)):
            frames = decode_video(
                vivid_samples / folder / "upper1.mp4", indices=list(range(start, start + 16)), size=(208, 156)
            )
            encode_video(frames, references / folder / f"{name}.mp4", crf=12, lossless=folder == "agnostic_mask")
    folders = write_sanity_baselines(references, root / "sanity", progress=False)
    results = []
    for kind, predictions in folders.items():
        out = root / "eval" / kind
        overrides = [
            f"predictions={predictions}",
            f"references={references}",
            f"out_dir={out}",
            "metric.lpips.random_backbone=true",
            "metrics=[ssim,lpips,flicker,warp,ssim_region,preserve]",
            "dataset=ViViD",
            "subset=vivid_test_no_back",
            "strips=2",
        ]
        with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
            evaluate(compose(config_name="eval", overrides=overrides), progress=False)
        results.append(out)
    written, _ = run(results, root / "leaderboard", videos=2, resamples=2000)
    return {"root": root, "references": references, **written}


@pytest.fixture(scope="session")
def example_dataset(small_example: Path, tmp_path_factory) -> Path:
    """The small example imported and sharded (3 train, 3 test samples with DensePose, 12 frames of 128x96)."""
    from vivid_data.shards.writer import ShardConfig, write_dataset
    from vivid_data.store import ContentStore

    work = tmp_path_factory.mktemp("example_dataset")
    frame, _ = import_folder(small_example, work / "work")
    return write_dataset(
        frame, ContentStore(work / "work" / "store"), ShardConfig(out_dir=str(work / "dataset")), progress=False
    )


@pytest.fixture(scope="session")
def unpaired_dataset(example_dataset: Path, tmp_path_factory) -> Path:
    """A copy of ``example_dataset`` whose test pairs also dress each test video in the next one's garment
    (the example has one test sample per category, too few for the shard stage's same-category partners)."""
    import json
    import shutil

    copy = tmp_path_factory.mktemp("unpaired") / "dataset"
    shutil.copytree(example_dataset.parent, copy)
    pairs = copy / "pairs" / "test.jsonl"
    ids = [json.loads(line)["sample_id"] for line in pairs.read_text().splitlines()]
    extra = [
        json.dumps({"sample_id": a, "category": "upper_body", "garment_sample_id": b, "setting": "unpaired"})
        for a, b in zip(ids, ids[1:] + ids[:1])
    ]
    pairs.write_text(pairs.read_text() + "".join(line + "\n" for line in extra))
    return copy / "dataset.json"
