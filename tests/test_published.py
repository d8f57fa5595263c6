"""``subset=vivid_s``: exactly the published clips and windows, from a released-layout folder or a built dataset.

Reference videos are made with a frame counter in their brightness, longer than their windows, so a
window cut anywhere but the listed [start, end) gives a visibly wrong SSIM.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vivid_data.benchmark_lists import load_definition
from vivid_data.confine import confined
from vivid_data.video import decode_video, encode_video
from vivid_eval.baselines import load_baselines
from vivid_eval.evaluate import evaluate_folder
from vivid_eval.inputs import EvaluationInputError, match
from vivid_eval.leaderboard import baseline_entries, build_leaderboard, load_result
from vivid_eval.published import folder_references

SIZE = (24, 32)  # H, W: small, but SSIM's 11x11 window fits


def counter_video(frames: int, seed: int) -> np.ndarray:
    """Frame t is a texture shifted 3t pixels, brightening with t: any other window scores visibly lower."""
    rng = np.random.default_rng(seed)
    texture = rng.integers(0, 120, (*SIZE, 3))
    return np.stack([np.clip(np.roll(texture, 3 * t, axis=1) + t, 0, 255) for t in range(frames)]).astype(np.uint8)


def write_clip(root: Path, clip, extra: int = 6, seed: int = 0) -> np.ndarray:
    video = counter_video(clip.end + extra, seed)
    encode_video(video, root / clip.category / "videos" / clip.video, crf=1)
    return decode_video(root / clip.category / "videos" / clip.video)


@pytest.fixture
def few(vivid_s_home: Path, tmp_path: Path):
    """A released-layout folder with three listed clips (one whose window starts at 34), longer than their windows."""
    clips = {c.clip_id: c for c in load_definition("vivid_s", "paired").clips}
    chosen = [clips["1223311_detail"], clips["1224384_detail"], clips["1230272_detail"]]
    root = tmp_path / "ViViD"
    decoded = {c.clip_id: write_clip(root, c, seed=i) for i, c in enumerate(chosen)}
    (root / "upper_body" / "test_pairs.txt").write_text("1230272_detail.mp4 1230272_in_xl.jpg\n")
    return root, chosen, decoded


def test_exactly_the_listed_windows_whole_or_cut_predictions(few, tmp_path: Path):
    root, chosen, decoded = few
    preds = tmp_path / "preds"
    whole, cut, also_cut = chosen
    encode_video(decoded[whole.clip_id], preds / f"{whole.clip_id}.mp4", crf=1)  # the whole video: cut the same way
    for clip in (cut, also_cut):
        encode_video(decoded[clip.clip_id][clip.start : clip.end], preds / f"{clip.clip_id}.mp4", crf=1)
    summary = evaluate_folder(
        preds, root, tmp_path / "eval", metrics=["ssim"], subset="vivid_s", protocol="catv2ton_compat", strips=0
    )
    per_video = pd.read_csv(tmp_path / "eval" / "per_video.csv").set_index("sample_id")
    assert list(per_video.index) == sorted(c.clip_id for c in chosen)
    assert per_video.loc["1224384_detail", ["window_start", "window_end"]].tolist() == [34, 98]
    assert (per_video["frames"] == 64).all() and (per_video["ssim"] > 0.99).all()
    benchmark = summary["reference_set"]["benchmark"]
    assert benchmark["name"] == "vivid_s" and benchmark["sha256"].startswith("202f1165")
    assert benchmark["clips_scored"] == 3 and len(benchmark["missing_clips"]) == 177
    assert summary["dataset"] == "ViViD" and summary["subset"] == "vivid_s" and summary["deviations"] == []
    # not ranked with the published rows, and the missing clips are named
    entry = load_result(tmp_path / "eval")
    build_leaderboard([entry], baseline_entries(load_baselines()), resamples=100)
    assert (
        entry.comparable is False and "177 of 180 vivid_s clips missing: 1218931_detail, 1219160_detail" in entry.reason
    )


def test_a_window_cut_elsewhere_scores_lower(few, tmp_path: Path):
    """The check above can fail: a prediction of frames [0, 64) against the listed [34, 98) is not similar."""
    root, chosen, decoded = few
    preds = tmp_path / "preds"
    for clip in chosen:
        encode_video(decoded[clip.clip_id][:64], preds / f"{clip.clip_id}.mp4", crf=1)
    evaluate_folder(preds, root, tmp_path / "eval", metrics=["ssim"], subset="vivid_s", strips=0)
    ssim = pd.read_csv(tmp_path / "eval" / "per_video.csv").set_index("sample_id")["ssim"]
    assert ssim["1224384_detail"] < 0.5 and ssim["1223311_detail"] > 0.99


def test_unpaired_uses_the_listed_garments(few, tmp_path: Path):
    root, chosen, decoded = few
    preds = tmp_path / "preds"
    for clip in chosen:
        encode_video(decoded[clip.clip_id], preds / f"{clip.clip_id}.mp4")
    definition = load_definition("vivid_s", "unpaired")
    report = match(preds, str(root), definition=definition)
    listed = {c.clip_id: c for c in definition.clips}
    assert {p.sample_id: p.reference_facts["garment"] for p in report.pairs} == {
        c.clip_id: listed[c.clip_id].garment for c in chosen
    }
    assert all(p.reference_facts["garment"] != listed[p.sample_id].own_garment for p in report.pairs)
    assert report.definition is definition and len(report.missing_clips) == 177


def test_paths_stay_inside_the_folder(few, tmp_path: Path):
    """A listed video that is a symlink out of the folder is refused, not read."""
    root, chosen, _ = few
    outside = tmp_path / "outside.mp4"
    encode_video(counter_video(100, 9), outside)
    target = root / chosen[0].category / "videos" / chosen[0].video
    target.unlink()
    target.symlink_to(outside)
    assert confined(root, chosen[0].category, "videos", chosen[0].video) is None
    with pytest.raises(EvaluationInputError, match="resolves outside"):
        match(tmp_path, str(root), definition=load_definition("vivid_s", "paired"))


def test_refusals(few, tmp_path: Path):
    root, chosen, _ = few
    definition = load_definition("vivid_s", "paired")
    with pytest.raises(EvaluationInputError, match="built_subset=vivid_s_like is a subset built by a rule"):
        match(tmp_path, str(root), built_subset="vivid_s_like", definition=definition)
    short = chosen[1]
    encode_video(counter_video(60, 1), root / short.category / "videos" / short.video)
    found = folder_references(definition, root)
    assert found.problems == [
        f"{root / short.category / 'videos' / short.video}: 60 frames, but 1224384_detail's window is [34, 98)"
    ]
    with pytest.raises(EvaluationInputError, match="needs ViViD's released layout"):
        match(tmp_path, str(tmp_path / "nowhere"), definition=definition)
    empty = tmp_path / "empty"
    (empty / "dresses" / "videos").mkdir(parents=True)
    with pytest.raises(EvaluationInputError, match="none of the 180 clips of vivid_s"):
        match(tmp_path, str(empty), definition=definition)


@pytest.mark.slow
def test_a_complete_set_is_ranked_with_the_published_rows(vivid_s_home: Path, tmp_path: Path):
    """All 180 listed clips (synthetic footage at 32x24): ranked beside CatV2TON's ViViD-S rows."""
    root, preds = tmp_path / "ViViD", tmp_path / "preds"
    for i, clip in enumerate(load_definition("vivid_s", "paired").clips):
        video = counter_video(clip.end, i)
        encode_video(video, root / clip.category / "videos" / clip.video)
        encode_video(video[clip.start : clip.end], preds / f"{clip.clip_id}.mp4")
    summary = evaluate_folder(
        preds, root, tmp_path / "eval", metrics=["ssim"], subset="vivid_s", protocol="catv2ton_compat", strips=0
    )
    assert summary["reference_set"]["benchmark"]["missing_clips"] == []
    assert summary["reference_set"]["per_category"] == {"dresses": 60, "lower_body": 60, "upper_body": 60}
    entry = load_result(tmp_path / "eval")
    section = build_leaderboard([entry], baseline_entries(load_baselines()), resamples=100)[0]
    assert entry.comparable is True and entry.reason == ""
    assert section.ranks["ssim"][entry.name] == "1/9"
    data = json.loads((tmp_path / "eval" / "summary.json").read_text())
    assert data["reference_set"]["benchmark"]["clips_scored"] == 180


def _garment(path: Path, seed: int) -> None:
    from vivid_data.video import encode_image

    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_image(rng.integers(0, 255, (64, 48, 3), dtype=np.uint8), "JPEG", quality=95))


def test_a_built_dataset_holds_the_clips_out_of_train_and_scores_them(few, tmp_path: Path):
    """Imported from a released-layout folder whose train pairs list a ViViD-S clip: with shard.hold_out=[vivid_s]
    that clip and the train sample sharing its garment go to test; subset=vivid_s then finds them by video name."""
    from conftest import import_folder

    from vivid_data.shards.index import load_index
    from vivid_data.shards.writer import ShardConfig, write_dataset
    from vivid_data.store import ContentStore

    root, chosen, decoded = few
    lines: dict[Path, list[str]] = {}
    for i, clip in enumerate(chosen):
        _garment(root / clip.category / "images" / clip.own_garment, i)
        split = "train" if clip.clip_id == "1223311_detail" else "test"
        lines.setdefault(root / clip.category / f"{split}_pairs.txt", []).append(f"{clip.video} {clip.own_garment}")
    # an unlisted train video wearing the held-out clip's garment, and an unrelated train video
    encode_video(counter_video(20, 7), root / "dresses" / "videos" / "9000001_detail.mp4")
    encode_video(counter_video(20, 8), root / "dresses" / "videos" / "9000002_detail.mp4")
    _garment(root / "dresses" / "images" / "9000002_in_xl.jpg", 8)
    lines[root / "dresses" / "train_pairs.txt"] += [
        "9000001_detail.mp4 1223311_in_xl.jpg",
        "9000002_detail.mp4 9000002_in_xl.jpg",
    ]
    for path, rows in lines.items():
        path.write_text("\n".join(rows) + "\n")

    frame, _ = import_folder(root, tmp_path / "work")
    config = ShardConfig(out_dir=str(tmp_path / "dataset"), hold_out=["vivid_s"], split_mode="keep")
    index_path = write_dataset(frame, ContentStore(tmp_path / "work" / "store"), config, progress=False)
    index = load_index(index_path)
    assert index["held_out"] == {"vivid_s": {"clips_found": 3, "clips_listed": 180, "moved_to_test": 2}}
    train = frame[frame["sample_id"].isin({s["sample_id"] for s in _samples(index_path, "train")})]
    assert list(train["video_name"]) == ["9000002_detail.mp4"]

    preds = tmp_path / "preds"
    for clip in chosen:
        encode_video(decoded[clip.clip_id][clip.start : clip.end], preds / f"{clip.clip_id}.mp4", crf=1)
    report = match(preds, str(index_path), definition=load_definition("vivid_s", "paired"))
    assert sorted(p.sample_id for p in report.pairs) == sorted(c.clip_id for c in chosen)
    assert {p.reference_facts["split"] for p in report.pairs} == {"test"}
    assert all(
        p.reference_facts["window"] == [c.start, c.end]
        for p, c in zip(report.pairs, sorted(chosen, key=lambda c: c.clip_id))
    )


def _samples(index_path: Path, split: str) -> list[dict]:
    from vivid_data.samples import sample_index

    return [{"sample_id": key} for key in sample_index(index_path, split)]


def test_the_released_masks_are_cut_to_the_listed_windows(few):
    """Each clip's agnostic_mask/ video is read for its window only, frame for frame with the video's."""
    from vivid_data.video import encode_mask_video
    from vivid_eval.inputs import VideoPair

    root, chosen, decoded = few
    clip = chosen[1]  # window [34, 98)
    frames = len(decoded[clip.clip_id])
    counter = np.zeros((frames, *SIZE), bool)
    for t in range(frames):
        counter[t, : 1 + t % SIZE[0]] = True  # the number of masked rows tells the frame
    encode_mask_video(counter, root / clip.category / "agnostic_mask" / clip.video)
    definition = load_definition("vivid_s", "paired")
    load, facts = folder_references(definition, root).references[clip.clip_id]
    mask = VideoPair(clip.clip_id, root, load, dict(facts)).mask()
    assert mask.shape == (clip.end - clip.start, *SIZE)
    np.testing.assert_array_equal(mask.any(axis=2).sum(axis=1), 1 + np.arange(clip.start, clip.end) % SIZE[0])
