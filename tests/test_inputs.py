"""Matching predictions to references: errors that teach, every mismatch at once, the reference set's identity."""

import re
from pathlib import Path

import numpy as np
import pytest

from vivid_data.video import encode_video
from vivid_eval.inputs import EvaluationInputError, inspect, match, reference_set


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A ViViD-layout reference folder of three 12-frame clips at 24 fps."""
    rng = np.random.default_rng(0)
    for name in ("upper1", "upper2", "lower1"):
        encode_video(
            rng.integers(0, 255, (12, 32, 24, 3), dtype=np.uint8), tmp_path / "refs" / "videos" / f"{name}.mp4"
        )
    return tmp_path


def test_misnamed_predictions_are_shown_with_the_expected_name_and_the_closest(folder: Path):
    preds = folder / "preds"
    for name in ("upper1_pred", "upper2_pred", "lower1_pred"):
        encode_video(np.zeros((12, 32, 24, 3), np.uint8), preds / f"{name}.mp4")
    with pytest.raises(EvaluationInputError) as info:
        match(preds, str(folder / "refs"))
    text = str(info.value)
    assert "a prediction must be named <sample id>.mp4, e.g. lower1.mp4" in text
    assert "found 3 .mp4 file(s): lower1_pred.mp4, upper1_pred.mp4, upper2_pred.mp4" in text
    assert "missing upper1.mp4 (closest: upper1_pred.mp4" in text
    (folder / "empty").mkdir()
    with pytest.raises(EvaluationInputError, match=re.escape("found 0 .mp4 file")):
        match(folder / "empty", str(folder / "refs"))


def test_every_mismatch_is_listed_at_once(folder: Path):
    preds = folder / "preds"
    encode_video(np.zeros((12, 32, 24, 3), np.uint8), preds / "upper1.mp4", fps=12)  # fps
    encode_video(np.zeros((6, 32, 24, 3), np.uint8), preds / "upper2.mp4")  # frames
    encode_video(np.zeros((12, 64, 48, 3), np.uint8), preds / "lower1.mp4")  # size
    report = match(preds, str(folder / "refs"))
    with pytest.raises(EvaluationInputError) as info:
        inspect(report.pairs)
    text = str(info.value)
    assert text.startswith("3 problem(s)") and "upper1: 12 fps, the reference has 24 fps" in text
    assert "upper2: 6 frames, the reference has 12" in text and "lower1: 48x64, the reference is 24x32" in text
    assert "mismatch=truncate" in text and "fps_mismatch=allow" in text and "mismatch=resize" in text
    record = inspect(report.pairs, "resize", "allow")
    assert record["mismatched_videos"] == {"fps": 1, "frame_count": 1, "size": 1}


def test_the_reference_set_identifies_the_videos(folder: Path):
    preds = folder / "preds"
    for name in ("upper1", "upper2", "lower1"):
        encode_video(np.zeros((12, 32, 24, 3), np.uint8), preds / f"{name}.mp4")
    report = match(preds, str(folder / "refs"))
    inspect(report.pairs)
    identity = reference_set(str(folder / "refs"), "test", report.pairs)
    assert (identity["videos"], identity["frames"], identity["frames_min"], identity["frames_max"]) == (3, 36, 12, 12)
    assert identity["source"] == "folder" and len(identity["content_sha256"]) == 16
    fewer = reference_set(str(folder / "refs"), "test", report.pairs[:2])
    assert fewer["ids_sha256"] != identity["ids_sha256"]


def test_a_pairs_file_listing_a_video_twice_or_leaving_the_folder_is_refused(folder: Path):
    preds = folder / "preds"
    for name in ("upper1", "upper2"):
        encode_video(np.zeros((12, 32, 24, 3), np.uint8), preds / f"{name}.mp4")
    pairs = folder / "pairs.txt"
    pairs.write_text("upper1.mp4 a.jpg\nupper1.mp4 b.jpg\nupper2.mp4 a.jpg\nupper2.mp4 c.jpg\n")
    with pytest.raises(EvaluationInputError) as info:
        match(preds, str(folder / "refs"), pairs=str(pairs))
    text = str(info.value)
    assert "2 video(s) listed more than once: upper1.mp4 (line 1: a.jpg, line 2: b.jpg)" in text
    assert "keep one line per video" in text
    pairs.write_text("../../../etc/passwd a.jpg\n")
    with pytest.raises(EvaluationInputError, match=r"video '../../../etc/passwd' resolves outside .*; refused"):
        match(preds, str(folder / "refs"), pairs=str(pairs))
