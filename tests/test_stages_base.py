import numpy as np
import pandas as pd

from vivid_data.stages.base import DETAIL, config_hash, jsonable, outcome


def test_config_hash_is_order_independent_and_sensitive():
    assert config_hash({"a": 1, "b": [1, 2]}) == config_hash({"b": [1, 2], "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})


def test_jsonable_plain_types():
    value = {
        "n": np.int64(3),
        "f": np.float32(0.5),
        "nan": float("nan"),
        "na": pd.NA,
        "b": np.bool_(True),
        "list": (np.int32(1), None),
    }
    assert jsonable(value) == {"n": 3, "f": 0.5, "nan": None, "na": None, "b": True, "list": [1, None]}


def test_outcome_copies_and_records_detail():
    row = {"sample_id": "a", "status": "ok"}
    result = outcome(row, "rejected", "static", detail="motion 0.01", clean_motion=0.01)
    assert row == {"sample_id": "a", "status": "ok"}
    assert result == {
        "sample_id": "a",
        "status": "rejected",
        "reason": "static",
        "clean_motion": 0.01,
        DETAIL: "motion 0.01",
    }
