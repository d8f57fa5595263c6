"""vivid-eval end to end on real frames (downscaled copies of the shared sample)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from hydra import compose, initialize_config_module

from vivid_data.video import decode_video, encode_video
from vivid_eval.evaluate import evaluate
from vivid_eval.inputs import EvaluationInputError


@pytest.fixture(scope="module")
def folders(vivid_samples: Path, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("eval")
    frames = decode_video(vivid_samples / "videos" / "upper1.mp4", indices=list(range(16, 36)), size=(208, 156))
    other = decode_video(vivid_samples / "agnostic" / "upper1.mp4", indices=list(range(16, 36)), size=(208, 156))
    references = root / "refs"
    (references / "videos").mkdir(parents=True)
    encode_video(frames, references / "videos" / "clip_a.mp4", crf=10)
    encode_video(other, references / "videos" / "clip_b.mp4", crf=10)
    reference_frames = {name: decode_video(references / "videos" / f"{name}.mp4") for name in ("clip_a", "clip_b")}
    sets = {}
    rng = np.random.default_rng(0)
    for label, change in (
        ("same", lambda f: f),
        ("noisy", lambda f: np.clip(f + rng.normal(0, 25, f.shape), 0, 255)),
        ("shuffled", lambda f: f[rng.permutation(len(f))]),
    ):
        folder = root / label
        folder.mkdir()
        for name, video in reference_frames.items():
            encode_video(change(video.astype(float)).astype(np.uint8), folder / f"{name}.mp4", lossless=True)
        sets[label] = folder
    return {"references": references, **sets, "root": root}


def config(folders, predictions: str, **overrides):
    options = [
        f"predictions={folders[predictions]}",
        f"references={folders['references']}",
        f"out_dir={folders['root'] / ('out_' + predictions)}",
        "metric.lpips.random_backbone=true",
        "metrics=[ssim,lpips,flicker,warp,vfid_i3d]",
        "overwrite=true",  # these tests reuse one out_dir per predictions folder with varying settings
    ]
    options += [f"{k}={v}" for k, v in overrides.items()]
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        return compose(config_name="eval", overrides=options)


@pytest.fixture(scope="module")
def results(folders, tmp_path_factory):
    os.environ["VIVID_HOME"] = str(tmp_path_factory.mktemp("no_weights"))
    try:
        torch.manual_seed(0)
        return {label: evaluate(config(folders, label), progress=False) for label in ("same", "noisy", "shuffled")}
    finally:
        del os.environ["VIVID_HOME"]


def test_identical_videos(results):
    same = results["same"]["metrics"]
    assert same["ssim"]["mean"] == pytest.approx(1.0) and same["lpips"]["mean"] == pytest.approx(0.0, abs=1e-6)
    assert same["flicker_diff"]["mean"] == pytest.approx(0.0)
    assert same["warp_prediction"]["mean"] == pytest.approx(same["warp_reference"]["mean"])


def test_noise_and_shuffling_move_the_metrics(results):
    same, noisy, shuffled = (results[k]["metrics"] for k in ("same", "noisy", "shuffled"))
    assert noisy["ssim"]["mean"] < same["ssim"]["mean"] and noisy["lpips"]["mean"] > same["lpips"]["mean"]
    assert shuffled["warp_prediction"]["mean"] > 2 * same["warp_prediction"]["mean"]
    assert shuffled["flicker_prediction"]["mean"] < same["flicker_prediction"]["mean"]
    low, high = noisy["ssim"]["ci95"]
    assert low <= noisy["ssim"]["mean"] <= high


def test_outputs_and_unavailable_weights(results, folders):
    summary = results["noisy"]
    assert "vivid-weights fetch i3d_rgb_imagenet" in summary["unavailable"]["vfid_i3d"]
    assert summary["protocol"]["id"] == "vivid_v1" and summary["videos"] == 2 and summary["frames"] == 40
    assert "random backbone" in summary["lpips_net"]
    out = folders["root"] / "out_noisy"
    assert json.loads((out / "summary.json").read_text())["videos"] == 2
    per_video = pd.read_csv(out / "per_video.csv")
    assert list(per_video["sample_id"]) == ["clip_a", "clip_b"] and (per_video["ssim"] < 1).all()
    assert len(pd.read_csv(out / "per_frame.csv")) == 40
    assert (summary["method"], summary["dataset"], summary["subset"]) == ("noisy", "refs", "all")
    assert sorted(p.name for p in (out / "strips").iterdir()) == ["clip_a.jpg", "clip_b.jpg"]  # strips=3, two videos


def test_flow_is_recorded_and_raft_without_weights_is_unavailable(results, folders, tmp_path: Path, monkeypatch):
    assert results["same"]["warp_flow"] == {"method": "farneback"}
    monkeypatch.setenv("VIVID_HOME", str(tmp_path))
    summary = evaluate(
        config(
            folders, "noisy", **{"metric.warp.method": "raft", "metrics": "[ssim,warp]", "out_dir": tmp_path / "out"}
        ),
        progress=False,
    )
    assert "vivid-weights fetch raft_large" in summary["unavailable"]["warp"]
    assert "ssim" in summary["metrics"] and "warp_prediction" not in summary["metrics"]


def test_missing_extra_and_mismatch(folders, tmp_path: Path):
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "clip_a.mp4").write_bytes((folders["same"] / "clip_a.mp4").read_bytes())
    (partial / "stray.mp4").write_bytes((folders["same"] / "clip_b.mp4").read_bytes())
    folders = {**folders, "partial": partial}
    with pytest.raises(EvaluationInputError, match="clip_b"):
        evaluate(config(folders, "partial", metrics="[ssim]"), progress=False)
    summary = evaluate(config(folders, "partial", metrics="[ssim]", on_missing="skip"), progress=False)
    assert summary["missing_predictions"] == ["clip_b"] and summary["extra_predictions"] == ["stray"]
    short = tmp_path / "short"
    short.mkdir()
    encode_video(decode_video(folders["same"] / "clip_a.mp4")[:12], short / "clip_a.mp4")
    folders = {**folders, "short": short}
    with pytest.raises(EvaluationInputError, match="mismatch=truncate"):
        evaluate(config(folders, "short", metrics="[ssim]", on_missing="skip"), progress=False)
    summary = evaluate(
        config(folders, "short", metrics="[ssim]", on_missing="skip", mismatch="truncate"), progress=False
    )
    assert summary["frames"] == 12


def test_unpaired_without_weights_measures_nothing_and_says_so(folders, tmp_path: Path, monkeypatch):
    """Unpaired is VFID only; with no VFID weights nothing can be computed: an error, not an empty result."""
    from vivid_eval.evaluate import NothingMeasured

    monkeypatch.setenv("VIVID_HOME", str(tmp_path))
    with pytest.raises(NothingMeasured, match=r"vfid_i3d: .*vivid-weights fetch i3d_rgb_imagenet") as info:
        evaluate(config(folders, "same", setting="unpaired"), progress=False)
    assert "ssim: not measured in the unpaired setting" in str(info.value)


def test_an_out_dir_with_another_evaluation_is_refused_not_silently_replaced(folders, tmp_path: Path):
    out = tmp_path / "eval"
    first = evaluate(config(folders, "noisy", metrics="[ssim,flicker]", out_dir=out, overwrite="false"), progress=False)
    again = evaluate(config(folders, "noisy", metrics="[ssim,flicker]", out_dir=out, overwrite="false"), progress=False)
    assert again["metrics"] == first["metrics"]  # the same settings: recomputed in place
    with pytest.raises(EvaluationInputError, match=r"holds vivid-eval outputs made with other settings \(metrics"):
        evaluate(config(folders, "noisy", metrics="[ssim]", out_dir=out, overwrite="false"), progress=False)
    assert "flicker_diff" in json.loads((out / "summary.json").read_text())["metrics"]  # the earlier run is intact
    replaced = evaluate(config(folders, "noisy", metrics="[ssim]", out_dir=out, overwrite="true"), progress=False)
    assert "flicker_diff" not in replaced["metrics"]


def test_a_pickle_payload_checkpoint_is_named_and_the_other_metrics_run(folders, tmp_path: Path, monkeypatch):
    """weights_only=True refuses a pickle that would run code: the metric is unavailable with the file named,
    the run goes on with the others."""
    import pickle

    class Payload:
        def __reduce__(self):
            return (print, ("this would have run",))

    monkeypatch.setenv("VIVID_HOME", str(tmp_path))
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "rgb_imagenet.pt").write_bytes(pickle.dumps({"w": Payload()}))
    summary = evaluate(config(folders, "same", metrics="[ssim,vfid_i3d]"), progress=False)
    assert "ssim" in summary["metrics"] and "vfid_i3d" not in summary["metrics"]
    reason = summary["unavailable"]["vfid_i3d"]
    assert str(tmp_path / "weights" / "rgb_imagenet.pt") in reason and "weights_only=True" in reason


@pytest.mark.slow
def test_vfid_i3d_with_weights_in_the_official_layout(folders, tmp_path: Path, monkeypatch):
    from test_networks_checkpoints import official_i3d_state

    monkeypatch.setenv("VIVID_HOME", str(tmp_path))
    (tmp_path / "weights").mkdir()
    torch.save(official_i3d_state(), tmp_path / "weights" / "rgb_imagenet.pt")
    same = evaluate(config(folders, "same", metrics="[vfid_i3d]"), progress=False)["metrics"]["vfid_i3d"]
    assert (
        same["value"] == pytest.approx(0.0, abs=1e-4) and same["prediction_clips"] == 4
    )  # 4 clips, 1024-d: eps-regularised
    from vivid_eval.vfid import load_clip_features

    saved = load_clip_features(folders["root"] / "out_same" / "features" / "vfid_i3d.npz")
    assert list(saved.videos) == ["clip_a", "clip_b"] and saved.prediction.shape == (4, 1024)
    assert list(saved.prediction_video) == [0, 0, 1, 1]


def test_cli_from_another_directory(folders, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA")}
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "vivid-eval"),
            f"predictions={folders['noisy']}",
            f"references={folders['references']}",
            "out_dir=out",
            "metrics=[ssim,flicker]",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "ssim" in result.stdout and (tmp_path / "out" / "summary.json").is_file()
    bad = subprocess.run(
        [
            str(Path(sys.executable).parent / "vivid-eval"),
            f"predictions={tmp_path / 'absent'}",
            f"references={folders['references']}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "prediction folder not found" in bad.stderr


def test_short_and_single_frame_videos_never_abort_the_run(folders, tmp_path: Path):
    """A 1-frame video has no flicker and no warping error: named for those metrics, scored by the others."""
    refs, preds = tmp_path / "refs" / "videos", tmp_path / "preds"
    clip = decode_video(folders["references"] / "videos" / "clip_a.mp4")
    for name, frames in (("long", clip), ("single", clip[:1])):
        encode_video(frames, refs / f"{name}.mp4", crf=10)
        encode_video(frames, preds / f"{name}.mp4", lossless=True)
    cfg = config(
        {**folders, "preds": preds, "references": tmp_path / "refs"},
        "preds",
        metrics="[ssim,flicker,warp]",
        out_dir=tmp_path / "out",
    )
    summary = evaluate(cfg, progress=False)
    assert summary["videos"] == 2 and summary["metrics"]["ssim"]["videos"] == 2
    assert summary["metrics"]["flicker_diff"]["videos"] == 1 and summary["metrics"]["warp_prediction"]["videos"] == 1
    assert "at least two frames" in summary["skipped_videos"]["flicker"]["single"]
    assert summary["metrics"]["flicker_diff"]["ci95"] is None  # one video: no interval


def test_fps_and_the_mismatch_policy_are_recorded(results, folders):
    summary = results["noisy"]
    assert (summary["mismatch_policy"], summary["fps_policy"], summary["mismatched_videos"]) == ("error", "error", {})
    assert summary["reference_set"]["videos"] == 2 and summary["reference_set"]["frames"] == 40
    per_video = pd.read_csv(folders["root"] / "out_noisy" / "per_video.csv")
    assert (per_video["fps_prediction"] == 24).all() and (per_video["fps_reference"] == 24).all()
    assert (per_video["frames_prediction"] == per_video["frames_reference"]).all()


def make_viewed_dataset(root: Path, sample_frames: np.ndarray) -> Path:
    """A built dataset of 6 test samples with known categories, agnostic masks and orientation labels:
    two per category; per category one seen from the front and one mostly from behind (or the side)."""
    import io

    from vivid_data.shards.writer import ShardConfig, write_dataset
    from vivid_data.store import ContentStore
    from vivid_data.video import encode_image, encode_mask_video

    store = ContentStore(root / "store")
    t, h, w = sample_frames.shape[:3]
    masks = np.zeros((t, h, w), bool)
    masks[:, h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = True
    rows = []
    for number, (category, view) in enumerate(
        [
            (c, v)
            for c in ("upper_body", "lower_body", "dresses")
            for v in ("frontal", "back" if c != "dresses" else "side")
        ]
    ):
        codes = np.full(t, {"frontal": 1, "side": 2, "back": 3}[view], np.int8)
        codes[:2] = 1  # a turn at the start: the dominant view still decides
        keypoints = io.BytesIO()
        np.savez(keypoints, keypoints=np.zeros((t, 17, 3), np.float32), orientation=codes)
        video = np.roll(sample_frames, number * 3, axis=2)
        rows.append(
            {
                "sample_id": f"s{number}",
                "category": category,
                "split": "test",
                "status": "ok",
                "fps": 24.0,
                "num_frames": t,
                "width": w,
                "height": h,
                "video": store.put_bytes(encode_video(video, fps=24, crf=10), "mp4").key,
                "agnostic_mask": store.put_bytes(encode_mask_video(masks, fps=24), "mp4").key,
                "keypoints": store.put_bytes(keypoints.getvalue(), "npz").key,
                "garment": store.put_bytes(encode_image(np.full((h, w, 3), 90 + number, np.uint8)), "jpg").key,
                "garment_sha256": f"g{number}",
                "video_sha256": f"v{number}",
                "video_name": f"v{number}.mp4",
                "garment_name": f"g{number}.jpg",
            }
        )
    return write_dataset(
        pd.DataFrame(rows), store, ShardConfig(out_dir=str(root / "dataset"), split_mode="keep"), progress=False
    )


def test_region_metrics_breakdowns_and_seams_end_to_end(vivid_samples: Path, tmp_path: Path):
    from vivid_data.samples import split_samples
    from vivid_data.windows import context_windows

    frames = decode_video(vivid_samples / "videos" / "upper1.mp4", indices=list(range(0, 48, 2)), size=(96, 72))
    dataset = make_viewed_dataset(tmp_path, frames)
    predictions = tmp_path / "preds"
    predictions.mkdir()
    windows, record = context_windows(24, 8, 2, closed_loop=False), {"videos": {}}
    for sample in split_samples(dataset, "test"):
        video = sample.video().astype(np.int16)
        h, w = video.shape[1:3]
        if sample.sample_id in ("s1", "s3"):  # the back views: the garment region painted grey, no try-on
            video[:, h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = 128
        if sample.sample_id == "s5":  # windows that do not blend: every other window brighter
            for number, window in enumerate(windows):
                video[window] += 25 * (number % 2)
        encode_video(np.clip(video, 0, 255).astype(np.uint8), predictions / f"{sample.sample_id}.mp4", lossless=True)
        record["videos"][sample.sample_id] = {"windows": windows}
    (predictions / "generation.json").write_text(json.dumps(record))
    options = [
        f"predictions={predictions}",
        f"references={dataset}",
        f"out_dir={tmp_path / 'out'}",
        "metric.lpips.random_backbone=true",
        "metric.lpips_region.random_backbone=true",
        "metrics=[ssim,lpips,ssim_region,lpips_region,preserve,seams,warp]",
    ]
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        summary = evaluate(compose(config_name="eval", overrides=options), progress=False, echo=False)
    rows = pd.read_csv(tmp_path / "out" / "per_video.csv").set_index("sample_id")
    # the grey region leaves whole-frame SSIM high and region SSIM low; nothing outside the region changed
    for grey in ("s1", "s3"):
        assert rows.loc[grey, "ssim"] > rows.loc[grey, "ssim_region"] + 0.2
        assert rows.loc[grey, "preserve_mae"] < 1.5
    assert rows.loc["s0", "ssim_region"] > 0.95 and rows.loc["s5", "preserve_mae"] > 10
    # seams: the unblended windows jump, the others do not
    assert rows.loc["s5", "seam_ratio"] > 3 and rows.loc["s0", "seam_ratio"] < 1.5
    assert summary["window_plan"].startswith("auto") and "warp_diff" in summary["metrics"]
    # breakdowns: three categories, three views; the back views are the grey ones
    by_view = summary["breakdowns"]["view"]
    assert set(by_view) == {"frontal", "back", "side"} and by_view["back"]["ssim_region"]["videos"] == 2
    assert by_view["back"]["ssim_region"]["mean"] < by_view["frontal"]["ssim_region"]["mean"] - 0.2
    assert set(summary["breakdowns"]["category"]) == {"upper_body", "lower_body", "dresses"}
    assert rows.loc["s1", "view"] == "back" and rows.loc["s1", "back_share"] == pytest.approx(22 / 24)
    assert summary["ssim_resolution"]["sizes"] == ["72x96"] and not summary["deviations"]


def test_region_metrics_without_masks_are_unavailable_with_the_fix(folders):
    cfg = config(folders, "same", metrics="[ssim,ssim_region,seams]")
    summary = evaluate(cfg, progress=False, echo=False)
    assert "ssim" in summary["metrics"] and "masks=FOLDER" in summary["unavailable"]["ssim_region"]
    assert "windows=uniform" in summary["unavailable"]["seams"]
    masks = folders["root"] / "masks"
    masks.mkdir(exist_ok=True)
    clip = decode_video(folders["references"] / "videos" / "clip_a.mp4")
    region = np.zeros(clip.shape[:3], bool)
    region[:, 40:160, 30:120] = True
    from vivid_data.video import encode_mask_video

    encode_mask_video(region, masks / "clip_a.mp4", fps=24)
    cfg = config(folders, "noisy", metrics="[ssim_region,seams]", masks=str(masks), windows="uniform:8:2")
    summary = evaluate(cfg, progress=False, echo=False)
    assert summary["metrics"]["ssim_region"]["videos"] == 1  # clip_b has no mask there: skipped, named
    assert "no agnostic mask" in summary["skipped_videos"]["ssim_region"]["clip_b"]
    assert summary["metrics"]["seam_ratio"]["videos"] == 2 and summary["masks"] == str(masks)
