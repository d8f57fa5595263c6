"""Sanity baselines: the agnostic video, shuffled frames and a frozen first frame, written losslessly."""

from pathlib import Path

import numpy as np
import pytest

from vivid_data.video import decode_video
from vivid_eval.sanity import main, make_prediction


def test_folders_hold_what_each_baseline_promises(sanity_report):
    references, sanity = sanity_report["references"], sanity_report["root"] / "sanity"
    reference = decode_video(references / "videos" / "clip_a.mp4")
    agnostic = decode_video(references / "agnostic" / "clip_a.mp4")
    assert np.array_equal(decode_video(sanity / "agnostic" / "clip_a.mp4"), agnostic)  # lossless
    frozen = decode_video(sanity / "frozen" / "clip_a.mp4")
    assert np.array_equal(frozen, np.repeat(reference[:1], len(reference), axis=0))
    shuffled = decode_video(sanity / "shuffled" / "clip_a.mp4")
    order = [next(j for j in range(len(reference)) if np.array_equal(frame, reference[j])) for frame in shuffled]
    assert sorted(order) == list(range(len(reference))) and order != sorted(order)
    assert sorted(p.name for p in (sanity / "shuffled").iterdir()) == ["clip_a.mp4", "clip_b.mp4", "clip_c.mp4"]


def test_unknown_kind_and_missing_agnostic(tmp_path: Path, capsys):
    with pytest.raises(ValueError, match="must be one of"):
        make_prediction("mirror", np.zeros((2, 4, 4, 3), np.uint8), None, np.random.default_rng(0))
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "x.mp4").write_bytes(b"")
    assert main([str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert f"{tmp_path / 'agnostic' / 'x.mp4'}: missing" in capsys.readouterr().err


def test_another_seed_into_the_same_folder_refuses_or_replaces(sanity_report, tmp_path: Path, capsys):
    """--seed 7 into a seed-0 folder: refused (the seed-0 videos would stay); --overwrite remakes them."""
    out = tmp_path / "sanity"
    references = str(sanity_report["references"])
    assert main([references, "--out", str(out), "--kinds", "shuffled"]) == 0
    seed0 = decode_video(out / "shuffled" / "clip_a.mp4")
    assert main([references, "--out", str(out), "--kinds", "shuffled"]) == 0  # same settings: resumed
    assert main([references, "--out", str(out), "--kinds", "shuffled", "--seed", "7"]) == 2
    assert "seed: 0 -> 7" in capsys.readouterr().err
    assert np.array_equal(decode_video(out / "shuffled" / "clip_a.mp4"), seed0)
    assert main([references, "--out", str(out), "--kinds", "shuffled", "--seed", "7", "--overwrite"]) == 0
    assert not np.array_equal(decode_video(out / "shuffled" / "clip_a.mp4"), seed0)
