import json

import pytest

from vivid_data.schema import CATEGORIES, COLUMN_DTYPES, SampleRecord, check_sample_id, make_sample_id


def test_sample_id_is_stable_and_key_safe():
    a = make_sample_id("ab" * 32, "cd" * 32)
    assert a == make_sample_id("ab" * 32, "cd" * 32)
    assert a != make_sample_id("cd" * 32, "ab" * 32)
    assert len(a) == 24 and "." not in a and check_sample_id(a) == a


@pytest.mark.parametrize("bad", ["", "a.b", "a/b", "x" * 129, "id with space"])
def test_invalid_sample_ids(bad):
    with pytest.raises(ValueError, match="invalid sample id"):
        check_sample_id(bad)


def test_record_validation():
    with pytest.raises(ValueError, match="unknown category 'shoes'"):
        SampleRecord(sample_id="abc", category="shoes")
    with pytest.raises(ValueError, match="unknown split"):
        SampleRecord(sample_id="abc", category="dresses", split="val")
    with pytest.raises(ValueError, match="unknown status"):
        SampleRecord(sample_id="abc", category="dresses", status="done")


def test_row_round_trip_keeps_stage_statuses():
    record = SampleRecord(
        sample_id="abc",
        category=CATEGORIES[0],
        num_frames=48,
        fps=24.0,
        stages={"ingest": {"status": "ok", "config_hash": "1234"}},
    )
    row = record.to_row()
    assert set(row) == set(COLUMN_DTYPES)
    assert json.loads(row["stages"]) == {"ingest": {"status": "ok", "config_hash": "1234"}}
    assert SampleRecord.from_row(row) == record
