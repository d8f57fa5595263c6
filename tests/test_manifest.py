from pathlib import Path

import pandas as pd
import pytest

from vivid_data.manifest import (
    ManifestError,
    frame_to_records,
    load_manifest,
    records_to_frame,
    save_manifest,
    validate_manifest,
)
from vivid_data.schema import COLUMN_DTYPES, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, SampleRecord


def records() -> list[SampleRecord]:
    return [
        SampleRecord(
            sample_id="a1",
            category="upper_body",
            num_frames=48,
            fps=24.0,
            width=624,
            height=832,
            stages={"ingest": {"status": "ok"}},
        ),
        SampleRecord(sample_id="b2", category="dresses", status="rejected", reason="video_truncated"),
    ]


def test_save_load_round_trip(tmp_path: Path):
    frame = records_to_frame(records())
    frame["blur_score"] = [1.5, None]  # stage score columns are kept
    path = save_manifest(frame, tmp_path / "manifests" / "ingest.parquet")
    loaded = load_manifest(path)
    assert list(loaded.columns[: len(COLUMN_DTYPES)]) == list(COLUMN_DTYPES)
    pd.testing.assert_frame_equal(loaded, validate_manifest(frame))
    assert frame_to_records(loaded) == records()
    assert [p.name for p in path.parent.iterdir()] == ["ingest.parquet"]


def test_empty_manifest_round_trip(tmp_path: Path):
    loaded = load_manifest(save_manifest(records_to_frame([]), tmp_path / "m.parquet"))
    assert len(loaded) == 0 and list(loaded.columns) == list(COLUMN_DTYPES)


def test_manifest_without_the_newer_optional_columns_still_loads(tmp_path: Path):
    path = tmp_path / "old.parquet"
    records_to_frame(records()).drop(columns=list(OPTIONAL_COLUMNS)).to_parquet(path)
    loaded = load_manifest(path)
    assert set(REQUIRED_COLUMNS) < set(loaded.columns) and loaded["detail"].isna().all()


def test_hand_edited_bad_value_names_column_and_row(tmp_path: Path):
    frame = records_to_frame(records())
    frame["num_frames"] = frame["num_frames"].astype(object)
    frame.loc[1, "num_frames"] = "forty-eight"
    path = tmp_path / "edited.parquet"
    frame.astype({"num_frames": str}).to_parquet(path)
    with pytest.raises(
        ManifestError, match=r"edited\.parquet: column 'num_frames' must hold an integer: row 1: 'forty-eight'"
    ):
        load_manifest(path)


def test_unstorable_column_is_named(tmp_path: Path):
    frame = records_to_frame(records())
    frame["scores"] = [{"a": 1}, 3.5]  # a dict and a float in one column: Arrow cannot store it
    with pytest.raises(ManifestError, match=r"m\.parquet: cannot be written as parquet: column\(s\) \['scores'\]"):
        save_manifest(frame, tmp_path / "m.parquet")
    assert list(tmp_path.iterdir()) == []


def test_missing_column_names_file(tmp_path: Path):
    path = tmp_path / "bad.parquet"
    records_to_frame(records()).drop(columns=["category"]).to_parquet(path)
    with pytest.raises(ManifestError, match=r"bad\.parquet: missing columns \['category'\]"):
        load_manifest(path)


def test_unknown_category_names_row(tmp_path: Path):
    path = tmp_path / "bad.parquet"
    frame = records_to_frame(records())
    frame["category"] = frame["category"].astype(object)
    frame.loc[1, "category"] = "shoes"
    frame.to_parquet(path)
    with pytest.raises(ManifestError, match=r"bad\.parquet: unknown category .*row 1 \(b2\): 'shoes'"):
        load_manifest(path)


def test_duplicate_and_bad_ids():
    frame = records_to_frame(records())
    frame.loc[1, "sample_id"] = "a1"
    with pytest.raises(ManifestError, match="duplicate sample ids"):
        validate_manifest(frame)
    frame.loc[1, "sample_id"] = "has.dot"
    with pytest.raises(ManifestError, match="invalid sample ids"):
        validate_manifest(frame)


def test_invalid_manifest_is_not_written(tmp_path: Path):
    frame = records_to_frame(records())
    frame.loc[0, "status"] = "done"
    with pytest.raises(ManifestError):
        save_manifest(frame, tmp_path / "m.parquet")
    assert list(tmp_path.iterdir()) == []


def test_not_parquet_and_missing(tmp_path: Path):
    bogus = tmp_path / "m.parquet"
    bogus.write_text("hello")
    with pytest.raises(ManifestError, match="not a readable parquet"):
        load_manifest(bogus)
    with pytest.raises(ManifestError, match="not found"):
        load_manifest(tmp_path / "absent.parquet")
