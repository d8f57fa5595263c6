"""Named subsets: windows placed by hand-checked rules, and a real build's subset read by vivid-eval,
the training loader and the export."""

import json
from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_module
from test_build import compose_build

from vivid_data.build import run_build
from vivid_data.loader import ClipConfig, ClipDataset
from vivid_data.pose.orientation import BACK, FRONTAL, SIDE
from vivid_data.shards.export import export_shards
from vivid_data.subsets import SubsetError, SubsetRule, load_subset, place_window, select, windows_hash
from vivid_data.video import decode_video, probe_video
from vivid_eval.inputs import EvaluationInputError, match

F, S, B = FRONTAL, SIDE, BACK


def labels(*runs: tuple[int, int]) -> np.ndarray:
    return np.concatenate([np.full(n, code, np.int8) for code, n in runs])


# ---- rules, by hand ----------------------------------------------------------------------------
def test_a_frontal_window_lies_inside_a_long_enough_frontal_run():
    video = labels((S, 5), (F, 30), (B, 5))  # frames 5-34 frontal
    rule = SubsetRule("t", window_frames=10, min_frontal_run=24)
    starts = {
        place_window(video, SubsetRule("t", window_frames=10, min_frontal_run=24, seed=s), "x")[0] for s in range(40)
    }
    assert starts <= set(range(5, 26)) and len(starts) > 5  # every start 5..25 keeps the window frontal
    assert place_window(video, rule, "x") == place_window(video, rule, "x")  # deterministic per seed and sample


def test_rules_that_exclude():
    video = labels((F, 24), (S, 2), (F, 20))
    assert place_window(video, SubsetRule("t", window_frames=10, min_frontal_run=24), "x") is None  # longest run 24
    assert place_window(video, SubsetRule("t", window_frames=25, min_frontal_run=0), "x") is None  # no 25 frontal
    assert place_window(video, SubsetRule("t", window_frames=60), "x") is None  # longer than the video


def test_whole_videos_without_back_frames():
    no_back = SubsetRule("t", window_frames=None, window_frontal=False, max_back_share=0.0)
    assert place_window(labels((F, 10), (S, 10)), no_back, "x") == (0, 20)
    assert place_window(labels((F, 10), (B, 1)), no_back, "x") is None


def test_bad_rules():
    with pytest.raises(SubsetError, match="plain file name"):
        SubsetRule("../x")
    with pytest.raises(SubsetError, match="window_frames"):
        SubsetRule("x", window_frames=0)


# ---- a real build ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The embedded example (32-frame clips) with pose, and a ViViD-S-like subset of 16-frame windows."""
    work = tmp_path_factory.mktemp("subset") / "work"
    rule = ["subset_rule=vivid_s_like", "subset_rule.window_frames=16", "subset_rule.min_frontal_run=15"]
    stats = run_build(compose_build([f"work_dir={work}", "executor.workers=1", *rule]), progress=False)
    assert stats["subset"]["considered"] == 3 and stats["subset"]["without_orientation"] == 0
    return work / "dataset"


def test_the_build_writes_the_subset_with_its_rule(built: Path):
    payload = json.loads((built / "subsets" / "vivid_s_like.json").read_text())
    subset = load_subset(built, "vivid_s_like")
    assert payload["rule"]["per_category"] == 60 and "not the published ViViD-S" in payload["rule"]["caveat"]
    assert subset.windows and all(w.end - w.start == 16 for w in subset.windows)
    assert payload["windows_sha256"] == windows_hash(subset.windows)
    assert sum(payload["selected"].values()) == len(subset.windows)
    assert payload["shortfall"] == {c: 60 - n for c, n in payload["selected"].items()}
    card = (built / "README.md").read_text()
    assert "## Orientation" in card and "| vivid_s_like | test |" in card and "not the published ViViD-S" in card
    # selecting again from the labels the pose stage stored gives the same windows
    again = select(built, subset.rule)
    assert [(w.sample_id, w.start) for w in again.windows] == [(w.sample_id, w.start) for w in subset.windows]


def test_vivid_eval_scores_only_the_windows(built: Path, tmp_path: Path):
    subset = load_subset(built, "vivid_s_like")
    full = tmp_path / "whole"  # predictions of whole videos: cut to the windows too
    full.mkdir()
    index = json.loads((built / "dataset.json").read_text())
    from vivid_data.samples import sample_index
    from vivid_data.shards.members import VIDEO

    samples = sample_index(built, "test")
    for key in samples:
        (full / f"{key}.mp4").write_bytes(samples[key].read(VIDEO))
    report = match(full, str(built), "test", built_subset="vivid_s_like")
    assert sorted(p.sample_id for p in report.pairs) == sorted(w.sample_id for w in subset.windows)
    pair = report.pairs[0]
    window = subset.by_id()[pair.sample_id]
    reference = pair.reference()
    assert len(reference) == 16
    np.testing.assert_array_equal(reference, samples[pair.sample_id].video()[window.start : window.end])
    from vivid_eval.inputs import inspect

    inspect(report.pairs)  # a whole-video prediction is accepted ...
    assert np.array_equal(pair.prediction_frames(), reference)  # ... and cut to the window
    assert index["splits"]["test"]["count"] == len(samples)


def test_vivid_eval_names_what_is_wrong(built: Path, tmp_path: Path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.mp4").write_bytes(b"")
    with pytest.raises(EvaluationInputError, match=r"subset not found \(this dataset has: vivid_s_like\)"):
        match(tmp_path / "p", str(built), "test", built_subset="vivid_s")
    with pytest.raises(EvaluationInputError, match="selected from the test split; set split=test"):
        match(tmp_path / "p", str(built), "train", built_subset="vivid_s_like")


def test_the_loader_draws_clips_inside_the_windows(built: Path):
    subset = load_subset(built, "vivid_s_like")
    config = ClipConfig(clip_len=8, size=(64, 48), pose=False)
    clips = list(ClipDataset(built, split="test", config=config, shuffle=False, subset="vivid_s_like"))
    assert sorted(c["key"] for c in clips) == sorted(w.sample_id for w in subset.windows)
    for clip in clips:
        window = subset.by_id()[clip["key"]]
        frames = clip["frame_indices"].tolist()
        assert window.start <= frames[0] and frames[-1] < window.end
    with pytest.raises(ValueError, match="selected from the test split, not train"):
        ClipDataset(built, split="train", config=config, subset="vivid_s_like")


def test_the_export_writes_the_windows_only(built: Path, tmp_path: Path):
    subset = load_subset(built, "vivid_s_like")
    out = export_shards(built, tmp_path / "export", subset="vivid_s_like")
    metadata = [json.loads(line) for line in (out / "metadata.jsonl").read_text().splitlines()]
    assert sorted(m["sample_id"] for m in metadata) == sorted(w.sample_id for w in subset.windows)
    for entry in metadata:
        window = subset.by_id()[entry["sample_id"]]
        assert entry["frames"] == [window.start, window.end]
        assert f"_f{window.start}-{window.end}" in entry["video_name"]
        folder = out / entry["category"]
        for sub in ("videos", "agnostic_mask", "densepose"):
            video = folder / sub / entry["video_name"]
            if video.exists():
                assert probe_video(video).num_frames == 16 and len(decode_video(video)) == 16


def test_vivid_eval_on_a_built_subset(built: Path, tmp_path: Path):
    """The CLI's path: whole-video predictions (the sample's own video: SSIM 1), scored on the windows only."""
    from vivid_data.samples import sample_index
    from vivid_data.shards.members import VIDEO
    from vivid_eval.evaluate import evaluate

    predictions = tmp_path / "same"
    predictions.mkdir()
    for key, sample in sample_index(built, "test").items():
        (predictions / f"{key}.mp4").write_bytes(sample.read(VIDEO))
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        cfg = compose(
            config_name="eval",
            overrides=[
                f"predictions={predictions}",
                f"references={built}",
                "built_subset=vivid_s_like",
                "metrics=[ssim]",
                "strips=0",
                f"out_dir={tmp_path / 'out'}",
            ],
        )
    summary = evaluate(cfg, progress=False, echo=False)
    subset = load_subset(built, "vivid_s_like")
    assert summary["subset"] == "vivid_s_like"
    identity = summary["reference_set"]
    assert identity["videos"] == len(subset.windows) and identity["frames"] == 16 * len(subset.windows)
    assert identity["built_subset"] == {"name": "vivid_s_like", "windows_sha256": windows_hash(subset.windows)}
    assert summary["metrics"]["ssim"]["mean"] == pytest.approx(1.0)
