"""vivid-generate end to end on the CPU with the tiny model: the layout vivid-eval reads, resumable, deterministic."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_module

from vivid_data.output_settings import OutputSettingsError
from vivid_data.video import decode_video, probe_video
from vivid_data.windows import context_windows
from vivid_eval.inputs import match
from vivid_model.generate import generate, resolve_dtype

FAST = [
    "model=tiny",
    "generation.height=32",
    "generation.width=24",
    "generation.steps=2",
    "generation.context_frames=8",
    "generation.context_overlap=2",
    "device=cpu",
]


def config(dataset: Path, out: Path, *overrides: str):
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        return compose(config_name="generate", overrides=[f"references={dataset}", f"out_dir={out}", *FAST, *overrides])


def test_writes_what_vivid_eval_reads_and_resumes(example_dataset: Path, tmp_path: Path):
    out = tmp_path / "preds"
    record = generate(config(example_dataset, out), progress=False)
    assert len(record["videos"]) == 3 and not record["failed"]
    report = match(out, str(example_dataset), "test")
    assert len(report.pairs) == 3 and not report.missing and not report.extra
    first = report.pairs[0]
    video = decode_video(first.prediction)
    assert video.shape == first.reference().shape  # output_size=source: the reference's frames and size
    assert probe_video(first.prediction).fps == pytest.approx(24, abs=0.1)
    saved = json.loads((out / "generation.json").read_text())
    assert saved["settings"]["steps"] == 2 and saved["model"]["config"] == "tiny" and saved["setting"] == "paired"
    # each video's context windows, as the pipeline ran them: vivid-eval's seam metric reads them (windows=auto)
    windows = saved["videos"][first.sample_id]["windows"]
    size, overlap = saved["settings"]["context_frames"], saved["settings"]["context_overlap"]
    assert windows == context_windows(len(video), size, overlap, saved["settings"]["closed_loop"])
    # resumable: an existing video is kept, a removed one is made again, identically (seeded)
    kept = (out / f"{first.sample_id}.mp4").stat().st_mtime_ns
    second = report.pairs[1].prediction
    before = decode_video(second)
    second.unlink()
    generate(config(example_dataset, out), progress=False)
    assert (out / f"{first.sample_id}.mp4").stat().st_mtime_ns == kept
    assert np.array_equal(decode_video(second), before)
    # other settings into the same folder: refused (the 2-step videos would stay under a 3-step record) ...
    with pytest.raises(OutputSettingsError, match=r"\(settings.steps: 2 -> 3\).*overwrite=true"):
        generate(config(example_dataset, out, "generation.steps=3"), progress=False)
    assert json.loads((out / "generation.json").read_text())["settings"]["steps"] == 2
    # ... or, with overwrite=true, every video is made again with the new settings
    record = generate(config(example_dataset, out, "generation.steps=3", "overwrite=true"), progress=False)
    assert record["settings"]["steps"] == 3 and len(record["videos"]) == 3
    assert (out / f"{first.sample_id}.mp4").stat().st_mtime_ns != kept


def test_generation_size_unpaired_and_limits(unpaired_dataset: Path, tmp_path: Path):
    record = generate(
        config(
            unpaired_dataset, tmp_path / "u", "setting=unpaired", "output_size=generation", "max_frames=5", "limit=1"
        ),
        progress=False,
    )
    assert not record["failed"], record["failed"]
    [(sample_id, entry)] = record["videos"].items()
    assert entry["garment"] != sample_id and entry["frames"] == 5
    assert decode_video(tmp_path / "u" / f"{sample_id}.mp4").shape == (5, 32, 24, 3)


def test_cli_errors_name_the_problem(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "vivid_model.generate", f"references={tmp_path}", f"out_dir={tmp_path / 'o'}", *FAST],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "a ViViD folder needs pairs=PATH" in done.stderr
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "vivid_model.generate",
            f"references={tmp_path}",
            "pairs=x.txt",
            f"out_dir={tmp_path / 'o'}",
            "model=vivid",
            f"model.paths.root={tmp_path / 'none'}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 2 and f"{tmp_path / 'none' / 'sd-vae-ft-mse'}: not a model folder" in missing.stderr
    with pytest.raises(ValueError, match="dtype must be"):
        resolve_dtype("fp8", "cpu")


def test_corrupt_sample_is_recorded_and_skipped(example_dataset: Path, tmp_path: Path):
    import io
    import shutil
    import tarfile

    copy = tmp_path / "dataset"
    shutil.copytree(example_dataset.parent, copy)
    shard = next((copy / "shards" / "test").glob("*.tar"))
    with tarfile.open(shard) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar]
    victim = sorted({m.name.split(".")[0] for m, _ in members})[0]
    with tarfile.open(shard, "w") as tar:
        for member, data in members:
            if member.name == f"{victim}.agnostic.mp4":
                data = data[: len(data) // 3]
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    record = generate(config(copy / "dataset.json", tmp_path / "out"), progress=False)
    assert list(record["failed"]) == [victim] and "agnostic.mp4" in record["failed"][victim]
    assert len(record["videos"]) == 2 and not (tmp_path / "out" / f"{victim}.mp4").exists()
