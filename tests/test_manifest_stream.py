import os
import stat
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from vivid_data.manifest import ManifestError, load_manifest, records_to_frame, validate_manifest
from vivid_data.manifest_stream import (
    ManifestWriter,
    count_rows,
    hold_rows_at,
    iter_batches,
    iter_rows,
    read_columns,
    rows_at,
    write_manifest_rows,
)
from vivid_data.schema import SampleRecord


def rows(count: int, start: int = 0) -> list[dict]:
    frame = records_to_frame(
        SampleRecord(sample_id=f"s{i:05d}", category="dresses", num_frames=24, fps=24.0) for i in range(start, count)
    )
    return [dict(r) for r in frame.to_dict(orient="records")]


def test_batches_from_a_frame_and_from_parquet_are_the_same_rows(tmp_path: Path):
    frame = validate_manifest(pd.DataFrame(rows(1100)))
    path = tmp_path / "m.parquet"
    frame.to_parquet(path, index=False)
    from_file = list(iter_batches(path, batch_rows=512))
    assert [len(b) for b in from_file] == [512, 512, 76]
    assert [r for b in from_file for r in b] == [r for b in iter_batches(frame, batch_rows=512) for r in b]
    assert count_rows(path) == count_rows(frame) == 1100
    assert next(iter_rows(path, ["sample_id", "not_a_column"])) == {"sample_id": "s00000"}
    assert list(read_columns(path, ["num_frames", "nope"]).columns) == ["num_frames"]
    picked = rows_at(path, [1099, 3, 600], columns=["sample_id"])
    assert picked == {3: {"sample_id": "s00003"}, 600: {"sample_id": "s00600"}, 1099: {"sample_id": "s01099"}}


def test_rows_held_as_arrow_read_back_as_the_dicts_iter_rows_gives(tmp_path: Path):
    frame = validate_manifest(pd.DataFrame(rows(1100)))
    path = tmp_path / "m.parquet"
    frame.to_parquet(path, index=False)
    every = list(iter_rows(path))
    wanted = [1099, 3, 511, 512, 600, 3]
    held = hold_rows_at(path, wanted)
    assert len(held) == 5
    assert all(held[p] == every[p] for p in wanted)
    some_columns = hold_rows_at(path, [7], ["sample_id", "num_frames", "not_a_column"])
    assert some_columns[7] == {"sample_id": "s00007", "num_frames": 24}
    assert len(hold_rows_at(path, [])) == 0
    assert hold_rows_at(frame, [5])[5] == every[5]  # a frame in memory: its rows as dicts


def test_parts_are_joined_under_one_schema(tmp_path: Path):
    """A column that is integer in one part and float in another, or empty in one, joins as one type."""
    out = rows(1030)
    for number, row in enumerate(out):
        row["score"] = number if number < 512 else number + 0.5  # int64 part, then float parts
        row["note"] = None if number < 512 else f"n{number}"  # all-null part, then text
    path = write_manifest_rows(out, tmp_path / "m.parquet")
    loaded = load_manifest(path)
    assert len(loaded) == 1030 and loaded["score"].iloc[5] == 5 and loaded["score"].iloc[600] == 600.5
    assert loaded["note"].iloc[5] is None or pd.isna(loaded["note"].iloc[5])
    assert loaded["note"].iloc[700] == "n700"
    assert pq.ParquetFile(path).metadata.num_rows == 1030
    assert [p.name for p in tmp_path.iterdir()] == ["m.parquet"]  # the parts are gone


def test_errors_count_rows_over_the_whole_manifest_and_keep_the_old_file(tmp_path: Path):
    target = tmp_path / "m.parquet"
    write_manifest_rows(rows(3), target)
    before = target.read_bytes()
    bad = rows(700)
    bad[650]["category"] = "hats"
    with pytest.raises(ManifestError, match=r"unknown category .*row 650 \(s00650\): 'hats'"):
        write_manifest_rows(bad, target)
    repeated = rows(600) + rows(601, start=600)[:1] + rows(1)  # s00000 again, in the second part
    with pytest.raises(ManifestError, match=r"duplicate sample ids: \['s00000'\]"):
        write_manifest_rows(repeated, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.parquet"]


def test_an_unvalidated_writer_keeps_any_columns_and_no_rows_gives_the_schema(tmp_path: Path):
    path = write_manifest_rows([{"x": 1}, {"x": 2, "y": "b"}], tmp_path / "raw.parquet", validate=False)
    assert list(iter_rows(path)) == [{"x": 1, "y": None}, {"x": 2, "y": "b"}]
    empty = write_manifest_rows([], tmp_path / "empty.parquet")
    assert len(load_manifest(empty)) == 0 and "sample_id" in pd.read_parquet(empty).columns


def test_mixed_types_in_a_column_name_the_column(tmp_path: Path):
    writer = ManifestWriter(tmp_path / "m.parquet", validate=False)
    with pytest.raises(ManifestError, match=r"column\(s\) \['mixed'\]"), writer:
        writer.write_all([{"mixed": [1, 2]}, {"mixed": "text"}])
        writer.close()


def test_the_manifest_honours_the_umask(tmp_path: Path):
    old = os.umask(0o022)
    try:
        path = write_manifest_rows(rows(2), tmp_path / "m.parquet")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_sample_ids_whose_hashes_collide_are_told_apart_by_the_written_parts(tmp_path: Path, monkeypatch):
    import vivid_data.manifest_stream as manifest_stream

    monkeypatch.setattr(manifest_stream, "_id_hash", lambda sample_id: 7)  # every id collides
    path = write_manifest_rows(rows(1100), tmp_path / "m.parquet")
    assert pq.ParquetFile(path).metadata.num_rows == 1100
    with pytest.raises(ManifestError, match=r"duplicate sample ids: \['s00003'\]"):
        write_manifest_rows(rows(1100) + rows(4)[3:], tmp_path / "m.parquet")
