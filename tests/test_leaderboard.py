"""Leaderboard sections, protocol separation, ranking directions and paired comparisons."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vivid_data.benchmark_lists import REGISTRY
from vivid_eval.baselines import load_baselines
from vivid_eval.leaderboard import (
    NOT_RANKED,
    Entry,
    ResultError,
    baseline_entries,
    build_leaderboard,
    load_result,
    rank,
    to_json,
)

VIVID_S_SET = {
    "videos": 180,
    "per_category": {"dresses": 60, "lower_body": 60, "upper_body": 60},
    "frames_min": 64,
    "frames_max": 64,
    "frames": 180 * 64,
    "ids_sha256": "0123456789abcdef",
    "setting": "paired",
    # scored with subset=vivid_s on every clip of the registered list
    "benchmark": {
        "name": "vivid_s",
        "setting": "paired",
        "sha256": REGISTRY["vivid_s_paired"].sha256,
        "clips": 180,
        "clips_scored": 180,
        "missing_clips": [],
    },
}


def write_result(
    folder: Path,
    method: str,
    protocol: str = "vivid_v1",
    dataset: str = "ViViD",
    subset: str = "vivid_s",
    ssim=(0.85, 0.86, 0.84),
    lpips=(0.10, 0.11, 0.09),
    lpips_net: str = "squeeze",
    reference_set: dict | None = None,
) -> Path:
    """A vivid-eval output folder as vivid-eval writes it (summary.json and per_video.csv); by default measured
    on a reference set shaped like ViViD-S's published definition."""
    folder.mkdir(parents=True)
    ids = [f"s{i}" for i in range(len(ssim))]
    pd.DataFrame({"sample_id": ids, "frames": 20, "ssim": ssim, "lpips": lpips}).to_csv(
        folder / "per_video.csv", index=False
    )
    metrics = {
        name: {"mean": float(np.mean(v)), "ci95": [float(np.min(v)), float(np.max(v))], "direction": d}
        for name, v, d in (("ssim", ssim, "higher"), ("lpips", lpips, "lower"))
    }
    metrics["vfid_i3d"] = {"value": 15.0, "direction": "lower", "prediction_clips": 6, "reference_clips": 6}
    (folder / "summary.json").write_text(
        json.dumps(
            {
                "method": method,
                "dataset": dataset,
                "subset": subset,
                "setting": "paired",
                "protocol": {"id": protocol, "version": 1},
                "lpips_net": lpips_net,
                "metrics": metrics,
                "reference_set": reference_set or VIVID_S_SET,
            }
        )
    )
    return folder


@pytest.fixture(scope="module")
def published() -> list[Entry]:
    return baseline_entries(load_baselines())


def test_catv2ton_compat_result_is_ranked_with_the_catv2ton_rows(tmp_path: Path, published):
    ours = load_result(write_result(tmp_path / "a", "new method", protocol="catv2ton_compat"))
    sections = build_leaderboard([ours], published, resamples=200)
    first = sections[0]
    assert (first.dataset, first.subset, first.setting, first.protocol) == (
        "ViViD",
        "vivid_s",
        "paired",
        "catv2ton_compat",
    )
    names = [e.name for e in first.entries]
    assert "new method" in names and "CatV2TON" in names and len(names) == 9 and first.reason == ""
    # VFID-I3D 15.0 sits between ViViD (17.29) and CatV2TON (13.60): second of nine
    assert first.ranks["vfid_i3d"]["new method"] == "2/9" and first.ranks["vfid_i3d"]["CatV2TON"] == "1/9"
    assert first.ranks["ssim"]["CatV2TON"] == "1/9"  # 0.8727 is the highest SSIM
    # the unpaired rows are another setting and do not appear
    assert all(s.setting == "paired" for s in sections)


def test_vivid_v1_result_is_not_ranked_with_published_rows(tmp_path: Path, published):
    ours = load_result(write_result(tmp_path / "a", "new method", protocol="vivid_v1"))
    sections = build_leaderboard([ours], published, resamples=200)
    assert [e.name for e in sections[0].entries] == ["new method"]
    assert "no published baseline" in sections[0].reason
    separate = sections[1]
    assert separate.protocol == "catv2ton_compat" and not separate.has_results
    assert "not ranked together" in separate.reason and "vivid_v1" in separate.reason
    assert "new method" not in [e.name for e in separate.entries]


def test_lpips_is_ranked_within_one_backbone(tmp_path: Path, published):
    ours = load_result(write_result(tmp_path / "a", "alex run", protocol="catv2ton_compat", lpips_net="alex"))
    section = build_leaderboard([ours], published, resamples=200)[0]
    assert section.ranks["lpips"]["alex run"] == "1/1"
    assert section.ranks["lpips"]["CatV2TON"] == "1/8"  # among the squeeze rows only


def test_directions_and_ties():
    entries = [
        Entry(n, "result", "d", "s", "paired", "p", {"ssim": s, "lpips": lp})
        for n, s, lp in (("a", 0.9, 0.2), ("b", 0.8, 0.1), ("c", 0.9, 0.3))
    ]
    assert rank(entries, "ssim") == {"a": "1/3", "b": "3/3", "c": "1/3"}
    assert rank(entries, "lpips") == {"b": "1/3", "a": "2/3", "c": "3/3"}


def test_paired_comparisons_and_name_clashes(tmp_path: Path, published):
    lpips = (0.1,) * 6
    a = load_result(write_result(tmp_path / "a", "ViViD", ssim=(0.80, 0.82, 0.81, 0.79, 0.83, 0.80), lpips=lpips))
    b = load_result(write_result(tmp_path / "b", "ViViD", ssim=(0.90, 0.92, 0.91, 0.89, 0.93, 0.90), lpips=lpips))
    section = build_leaderboard([a, b], published, resamples=2000)[0]
    assert [e.name for e in section.entries] == ["ViViD", "ViViD (2)"]  # no published ViViD row in vivid_v1
    ssim = next(c for c in section.comparisons if c.metric == "ssim")
    assert ssim.test.mean_difference == pytest.approx(-0.1) and ssim.test.significant
    data = to_json([section])["sections"][0]
    assert data["comparisons"][0]["first"] == "ViViD" and data["entries"][1]["ranks"]["ssim"] == "1/2"


def test_ours_only_where_the_section_has_a_published_row_of_that_name(tmp_path: Path, published):
    """A method in two sections gets '(ours)' only in the one whose published rows hold its name."""
    compat = load_result(write_result(tmp_path / "a", "ViViD", protocol="catv2ton_compat"))
    other = load_result(write_result(tmp_path / "b", "ViViD", dataset="mine", subset="mine_test"))
    sections = build_leaderboard([compat, other], published, resamples=200)
    names = {s.title: [e.name for e in s.entries if e.kind == "result"] for s in sections if s.has_results}
    assert names == {
        "ViViD / vivid_s / paired / protocol catv2ton_compat": ["ViViD (ours)"],
        "mine / mine_test / paired / protocol vivid_v1": ["ViViD"],
    }


def test_bad_result_folder_is_named(tmp_path: Path):
    with pytest.raises(ResultError, match="not a readable vivid-eval summary"):
        load_result(tmp_path)
    (tmp_path / "summary.json").write_text(json.dumps({"metrics": {}}))
    with pytest.raises(ResultError, match="missing method, dataset, subset, setting, protocol"):
        load_result(tmp_path)


def write_features(folder: Path, shift: float, seed: int, videos: int = 12, clips: int = 3, dim: int = 6) -> None:
    """Clip features as vivid-eval saves them: predictions drawn around the references, moved by ``shift``."""
    from vivid_eval.vfid import save_clip_features

    rng = np.random.default_rng(seed)
    reference = [np.random.default_rng(100 + v).normal(0, 1, (clips, dim)) for v in range(videos)]
    prediction = [r + shift + rng.normal(0, 0.3, r.shape) for r in reference]
    save_clip_features(folder / "features" / "vfid_i3d.npz", [f"s{v}" for v in range(videos)], prediction, reference)


def test_vfid_difference_is_bootstrapped_from_clip_features(tmp_path: Path):
    from vivid_eval.leaderboard import vfid_test

    good = load_result(write_result(tmp_path / "good", "good"))
    bad = load_result(write_result(tmp_path / "bad", "bad"))
    same = load_result(write_result(tmp_path / "same", "same"))
    write_features(good.folder, 0.0, seed=1)
    write_features(bad.folder, 1.0, seed=2)
    write_features(same.folder, 0.0, seed=1)
    better = vfid_test(good, bad, "vfid_i3d", resamples=100, seed=0)
    assert better.significant and better.mean_difference < 0 and better.videos == 12
    identical = vfid_test(good, same, "vfid_i3d", resamples=50, seed=0)
    assert identical.mean_difference == 0 and not identical.significant
    assert vfid_test(good, load_result(write_result(tmp_path / "none", "none")), "vfid_i3d", 10, 0) is None
    metrics = {c.metric for c in build_leaderboard([good, bad], [], resamples=200, vfid_resamples=30)[0].comparisons}
    assert "vfid_i3d" in metrics


def test_a_result_on_three_videos_is_not_ranked_against_vivid_s_and_says_why(tmp_path: Path, published):
    small = {
        "videos": 3,
        "per_category": {"upper_body": 3},
        "frames_min": 20,
        "frames_max": 20,
        "frames": 60,
        "ids_sha256": "feedfacefeedface",
    }
    ours = load_result(
        write_result(
            tmp_path / "a", "tiny run", protocol="catv2ton_compat", reference_set=small, ssim=(0.99, 0.99, 0.99)
        )
    )
    section = build_leaderboard([ours], published, resamples=200)[0]
    assert ours.comparable is False
    assert "not scored on the published vivid_s list" in ours.reason and "subset=vivid_s" in ours.reason
    assert section.ranks["ssim"]["tiny run"] == "not ranked" and section.ranks["ssim"]["CatV2TON"] == "1/8"
    entry = next(e for e in to_json([section])["sections"][0]["entries"] if e["name"] == "tiny run")
    assert entry["comparable"] is False and "published vivid_s list" in entry["reason"]


def test_a_partial_vivid_s_run_names_the_missing_clips(tmp_path: Path, published):
    missing = [f"clip{i:03d}_detail" for i in range(7)]
    partial = {**VIVID_S_SET, "benchmark": {**VIVID_S_SET["benchmark"], "clips_scored": 173, "missing_clips": missing}}
    ours = load_result(write_result(tmp_path / "a", "partial", protocol="catv2ton_compat", reference_set=partial))
    section = build_leaderboard([ours], published, resamples=200)[0]
    assert ours.comparable is False and section.ranks["ssim"]["partial"] == NOT_RANKED
    assert "7 of 180 vivid_s clips missing: clip000_detail, clip001_detail" in ours.reason
    assert "and 2 more" in ours.reason
    other_list = {**VIVID_S_SET, "benchmark": {**VIVID_S_SET["benchmark"], "sha256": "0" * 64}}
    edited = load_result(
        write_result(tmp_path / "b", "edited list", protocol="catv2ton_compat", reference_set=other_list)
    )
    build_leaderboard([edited], published, resamples=200)
    assert edited.comparable is False and "not the registered test_data_180_paired.jsonl" in edited.reason


def test_a_deviation_keeps_a_result_out_of_every_ranking(tmp_path: Path, published):
    """A truncated run beside a full one: listed with its deviation, ranked with nothing, in every output."""
    full = load_result(write_result(tmp_path / "full", "full", protocol="catv2ton_compat"))
    folder = write_result(tmp_path / "cut", "cut", protocol="catv2ton_compat")
    summary = json.loads((folder / "summary.json").read_text())
    summary.update(mismatch_policy="truncate", mismatched_videos={"frame_count": 1})  # written before deviations
    (folder / "summary.json").write_text(json.dumps(summary))
    cut = load_result(folder)
    assert cut.deviations == ["mismatch=truncate: 1 video(s) scored on fewer frames than their reference"]
    section = build_leaderboard([full, cut], published, resamples=200)[0]
    assert full.comparable is True and cut.comparable is False and "deviations: mismatch=truncate" in cut.reason
    assert section.ranks["ssim"]["cut"] == NOT_RANKED and section.ranks["ssim"]["full"] == "2/9"
    entry = next(e for e in to_json([section])["sections"][0]["entries"] if e["name"] == "cut")
    assert entry["deviations"] == cut.deviations and entry["comparable"] is False


def test_resnext_values_on_different_scales_are_never_ranked_together(published):
    rows = [b for b in published if b.subset == "vvt_test" and b.setting == "paired"]
    ranks = rank(rows, "vfid_resnext")
    assert ranks["CatV2TON"] == "1/2" and ranks["ViViD (re-run by CatV2TON)"] == "2/2"
    assert ranks["FW-GAN"] == "1/1"  # "unknown: this table mixes scales": ranked with nothing


def test_spread_of_one_method_over_its_measurers(published):
    sections = build_leaderboard([], published)
    assert sections == []
    from vivid_eval.leaderboard import measurer_spread

    lines = measurer_spread(published, "ViViD", "vivid_s", "paired")
    magic = next(line for line in lines if line.startswith("MagicTryOn:"))
    assert "SSIM 0.869-0.9024, 3 measurers (TexTailor, DreamVVT, BooM-VVT)" in magic


def test_a_result_whose_counts_match_is_ranked(tmp_path: Path, published):
    ours = load_result(write_result(tmp_path / "a", "full run", protocol="catv2ton_compat"))
    section = build_leaderboard([ours], published, resamples=200)[0]
    assert ours.comparable is True and section.ranks["vfid_i3d"]["full run"] == "2/9"


def test_a_near_miss_subset_name_gets_a_suggestion(tmp_path: Path):
    from vivid_eval.names import LabelError, check_labels

    with pytest.raises(ResultError, match="unknown subset 'vivid-s'; did you mean 'vivid_s'"):
        load_result(write_result(tmp_path / "a", "typo", subset="vivid-s"))
    with pytest.raises(LabelError, match="did you mean 'ViViD'"):
        check_labels("vivid", "vivid_s")
    check_labels("my_shop_2026", "test")  # far from every known name: the user's own


def test_results_on_different_videos_are_not_ranked_together(tmp_path: Path, published):
    a = load_result(
        write_result(
            tmp_path / "a", "a", dataset="mine", subset="test", reference_set={**VIVID_S_SET, "ids_sha256": "aaaa"}
        )
    )
    b = load_result(
        write_result(
            tmp_path / "b",
            "b",
            dataset="mine",
            subset="test",
            reference_set={**VIVID_S_SET, "videos": 7, "ids_sha256": "bbbb"},
        )
    )
    section = build_leaderboard([a, b], published, resamples=200)[0]
    assert a.comparable and not b.comparable and "measured on other videos (7)" in b.reason
    assert all(ranked.get("b") in (None, NOT_RANKED) for ranked in section.ranks.values())
    assert any(ranked.get("b") == NOT_RANKED for ranked in section.ranks.values())


def test_results_on_one_built_subset_rank_against_each_other_but_not_the_published_rows(tmp_path: Path, published):
    built = {**VIVID_S_SET, "built_subset": {"name": "vivid_s_like", "windows_sha256": "feedface"}}
    built.pop("benchmark")
    a = load_result(write_result(tmp_path / "a", "a", subset="our_windows", reference_set=built))
    b = load_result(write_result(tmp_path / "b", "b", subset="our_windows", reference_set=built, ssim=(0.9, 0.9, 0.9)))
    section = build_leaderboard([a, b], published, resamples=100)[0]
    assert a.deviations and a.comparable is True and section.ranks["ssim"] == {"b": "1/2", "a": "2/2"}
    labelled = load_result(write_result(tmp_path / "c", "c", protocol="catv2ton_compat", reference_set=built))
    build_leaderboard([labelled], published, resamples=100)
    assert labelled.comparable is False and "deviations: built subset vivid_s_like" in labelled.reason
