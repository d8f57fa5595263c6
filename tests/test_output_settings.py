"""An output folder records its settings: same settings resume, others refuse or (overwrite) replace."""

import json
from pathlib import Path

import pytest

from vivid_data.output_settings import RECORD, OutputSettingsError, claim


def test_new_resume_refuse_replace(tmp_path: Path):
    out = tmp_path / "preds"
    assert claim(out, "vivid-generate", {"steps": 20, "seed": 0}) == "new"
    (out / "a.mp4").write_bytes(b"20 steps")
    assert claim(out, "vivid-generate", {"seed": 0, "steps": 20}) == "resume"  # key order does not matter
    assert (out / "a.mp4").is_file()
    with pytest.raises(OutputSettingsError) as info:
        claim(out, "vivid-generate", {"steps": 3, "seed": 0})
    assert "steps: 20 -> 3" in str(info.value) and "overwrite=true" in str(info.value)
    assert (out / "a.mp4").read_bytes() == b"20 steps"  # refused: nothing touched
    assert claim(out, "vivid-generate", {"steps": 3, "seed": 0}, overwrite=True) == "replaced"
    assert not (out / "a.mp4").exists()
    assert json.loads((out / RECORD).read_text())["settings"] == {"steps": 3, "seed": 0}


def test_outputs_without_a_record_are_not_adopted(tmp_path: Path):
    (tmp_path / "old.mp4").write_bytes(b"x")
    with pytest.raises(OutputSettingsError, match="1 output\\(s\\) and no record of their settings"):
        claim(tmp_path, "vivid-sanity", {"seed": 7})
    (tmp_path / "notes.txt").write_text("mine")
    assert claim(tmp_path, "vivid-sanity", {"seed": 7}, overwrite=True) == "replaced"
    assert (tmp_path / "notes.txt").is_file() and not (tmp_path / "old.mp4").exists()  # only the outputs go
