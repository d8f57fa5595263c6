from pathlib import Path

from vivid_data.stages.journal import Journal


def _row(status: str = "ok") -> dict:
    return {"status": status}


def test_append_load_and_hash_filter(tmp_path: Path):
    journal = Journal(tmp_path / "j" / "stage.jsonl")
    journal.append({"key": "a", "hash": "h1", "input": "00ff00ff00ff00ff", "rows": [_row()]})
    journal.append({"key": "b", "hash": "h2", "input": "1111111111111111", "rows": [_row()]})
    journal.append({"key": "a", "hash": "h1", "input": "2222222222222222", "rows": [_row("failed")]})
    journal.close()
    assert journal.load("h1") == 1
    assert journal.entry("a") == {"key": "a", "hash": "h1", "input": "2222222222222222", "rows": [_row("failed")]}
    mark = journal.mark("a")
    assert mark is not None and mark.input == "2222222222222222" and mark.failed
    assert journal.mark("b") is None and journal.entry("b") is None
    assert journal.load("h2") == 1 and not journal.mark("b").failed
    journal.close()


def test_entries_written_in_this_run_are_readable_at_once(tmp_path: Path):
    """The runner reads back what it journaled moments ago (its index points into the file)."""
    journal = Journal(tmp_path / "stage.jsonl")
    journal.load("h")
    for number in range(3):
        journal.append({"key": f"k{number}", "hash": "h", "input": f"{number:016x}", "rows": [_row()]})
    assert [journal.entry(f"k{n}")["input"] for n in range(3)] == [f"{n:016x}" for n in range(3)]
    assert len(journal) == 3
    journal.close()


def test_torn_last_line_is_ignored_and_repaired(tmp_path: Path):
    path = tmp_path / "stage.jsonl"
    path.write_text('{"key": "a", "hash": "h", "rows": []}\n{"key": "b", "ha')
    journal = Journal(path)
    assert journal.load("h") == 1 and journal.mark("a") is not None and journal.mark("b") is None
    journal.append({"key": "c", "hash": "h", "rows": []})
    journal.close()
    again = Journal(path)
    assert again.load("h") == 2 and again.entry("c") == {"key": "c", "hash": "h", "rows": []}
    again.close()
