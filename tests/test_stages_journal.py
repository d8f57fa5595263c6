from pathlib import Path

from vivid_data.stages.journal import Journal


def test_append_load_and_hash_filter(tmp_path: Path):
    journal = Journal(tmp_path / "j" / "stage.jsonl")
    journal.append({"key": "a", "hash": "h1", "rows": [1]})
    journal.append({"key": "b", "hash": "h2", "rows": [2]})
    journal.append({"key": "a", "hash": "h1", "rows": [3]})
    journal.close()
    assert journal.load("h1") == {"a": {"key": "a", "hash": "h1", "rows": [3]}}
    assert set(journal.load("h2")) == {"b"}


def test_torn_last_line_is_ignored_and_repaired(tmp_path: Path):
    path = tmp_path / "stage.jsonl"
    path.write_text('{"key": "a", "hash": "h", "rows": []}\n{"key": "b", "ha')
    journal = Journal(path)
    assert set(journal.load("h")) == {"a"}
    journal.append({"key": "c", "hash": "h", "rows": []})
    journal.close()
    assert set(Journal(path).load("h")) == {"a", "c"}
