"""The benchmark-definition registry: the real ViViD-S lists, their checks, fetch over loopback, add, verify."""

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from httpfaults import FaultServer

from vivid_data.benchmark_lists import (
    REGISTRY,
    BenchmarkListError,
    ListEntry,
    add,
    fetch,
    load_definition,
    main,
    parse_lines,
)


@pytest.mark.parametrize("setting", ["paired", "unpaired"])
def test_the_published_lists(vivid_s_home: Path, setting: str):
    definition = load_definition("vivid_s", setting)
    clips = definition.clips
    assert definition.sha256 == REGISTRY[f"vivid_s_{setting}"].sha256
    assert len(clips) == 180 and Counter(c.category for c in clips) == {
        "upper_body": 60,
        "lower_body": 60,
        "dresses": 60,
    }
    assert {c.end - c.start for c in clips} == {64} and sum(c.start > 0 for c in clips) == 45
    first = clips[0]
    assert (first.clip_id, first.category, first.start, first.end) == ("1223311_detail", "dresses", 0, 64)
    if setting == "paired":
        assert all(c.garment == c.own_garment for c in clips)
    else:  # another garment of the same category, never the video's own
        assert all(c.garment != c.own_garment for c in clips)
        paired = {c.clip_id: c for c in load_definition("vivid_s", "paired").clips}
        assert all(
            (c.start, c.end, c.own_garment)
            == (paired[c.clip_id].start, paired[c.clip_id].end, paired[c.clip_id].garment)
            for c in clips
        )


def test_a_missing_list_names_the_file_and_the_fix(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("VIVID_BENCHMARKS", str(tmp_path))
    with pytest.raises(BenchmarkListError) as info:
        load_definition("vivid_s", "paired")
    text = str(info.value)
    assert f"needs test_data_180_paired.jsonl in {tmp_path}" in text and "vivid-benchmarks fetch vivid_s" in text
    assert "Magic-TryOn/0ef4b17869d9cccc86c61f5b7ec656d365e0ae82" in text
    with pytest.raises(BenchmarkListError, match="no published definition 'vivid_x'"):
        load_definition("vivid_x", "paired")


def test_an_edited_list_is_refused(vivid_s_lists: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("VIVID_BENCHMARKS", str(tmp_path))
    lines = (vivid_s_lists / "test_data_180_paired.jsonl").read_text().splitlines()
    (tmp_path / "test_data_180_paired.jsonl").write_text("\n".join(lines[:179]) + "\n")
    with pytest.raises(BenchmarkListError, match="is not the registered 202f1165"):
        load_definition("vivid_s", "paired")


def _entry(path: Path) -> ListEntry:
    return ListEntry("t", "paired", path.name, "http://x", hashlib.sha256(path.read_bytes()).hexdigest(), 1, 1, 64, "")


@pytest.mark.parametrize(
    "row, message",
    [
        (
            {"video": "../../etc/passwd", "image": "g.jpg", "front_seqs": [0, 64], "subdir": "dresses"},
            "not a plain file name",
        ),
        (
            {"video": "/abs/v.mp4", "image": "g.jpg", "front_seqs": [0, 64], "subdir": "dresses"},
            "not a plain file name",
        ),
        ({"video": "v.mp4", "image": "..", "front_seqs": [0, 64], "subdir": "dresses"}, "not a plain file name"),
        ({"video": "v.mp4", "image": "g.jpg", "front_seqs": [64, 0], "subdir": "dresses"}, "front_seqs must be"),
        ({"video": "v.mp4", "image": "g.jpg", "front_seqs": [0, "64"], "subdir": "dresses"}, "front_seqs must be"),
        ({"video": "v.mp4", "image": "g.jpg", "front_seqs": [0, 64], "subdir": "tops"}, "subdir must be one of"),
        ([1, 2], "not a JSON object"),
    ],
)
def test_malformed_rows_name_the_line(tmp_path: Path, row, message: str):
    path = tmp_path / "list.jsonl"
    good = {"video": "a.mp4", "image": "a.jpg", "front_seqs": [0, 64], "subdir": "dresses"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(row) + "\n")
    with pytest.raises(BenchmarkListError, match=f"list.jsonl:2: .*{message}"):
        parse_lines(path, _entry(path))


def test_a_clip_listed_twice_is_refused(tmp_path: Path):
    path = tmp_path / "list.jsonl"
    row = json.dumps({"video": "a.mp4", "image": "a.jpg", "front_seqs": [0, 64], "subdir": "dresses"})
    path.write_text(f"{row}\n{row}\n")
    with pytest.raises(BenchmarkListError, match="listed twice: a"):
        parse_lines(path, _entry(path))


def test_fetch_over_loopback_checks_the_hash(vivid_s_lists: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("VIVID_BENCHMARKS", str(tmp_path / "lists"))
    with FaultServer() as server:
        for name in ("test_data_180_paired.jsonl", "test_data_180_unpaired.jsonl"):
            server.add(f"/mirror/{name}", (vivid_s_lists / name).read_bytes())
        base = server.url("/mirror")
        with pytest.raises(BenchmarkListError, match="blocked_address"):
            fetch("vivid_s", base)  # loopback refused unless allowed
        paths = fetch("vivid_s", base, allow_private_hosts=("127.0.0.0/8",))
        assert [p.name for p in paths] == ["test_data_180_paired.jsonl", "test_data_180_unpaired.jsonl"]
        assert len(load_definition("vivid_s", "unpaired").clips) == 180
        server.add("/bad/test_data_180_paired.jsonl", b'{"video": "x"}\n')
        server.add("/bad/test_data_180_unpaired.jsonl", b'{"video": "x"}\n')
        (tmp_path / "lists" / "test_data_180_paired.jsonl").unlink()
        with pytest.raises(BenchmarkListError, match="is not the registered"):
            fetch("vivid_s", base.replace("/mirror", "/bad"), allow_private_hosts=("127.0.0.0/8",))
    assert not (tmp_path / "lists" / "test_data_180_paired.jsonl").exists()  # nothing half-written
    assert not list((tmp_path / "lists").glob(".downloads*"))


def test_cli_add_list_verify(vivid_s_lists: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("VIVID_BENCHMARKS", str(tmp_path / "lists"))
    assert main(["verify"]) == 1
    assert "unavailable" in capsys.readouterr().out
    stray = tmp_path / "stray.jsonl"
    stray.write_text("{}\n")
    assert main(["add", str(vivid_s_lists / "test_data_180_paired.jsonl"), str(stray)]) == 1
    captured = capsys.readouterr()
    assert "vivid_s_paired:" in captured.out and "matches no registered definition" in captured.err
    item, target = add(vivid_s_lists / "test_data_180_unpaired.jsonl")
    assert item.setting == "unpaired" and target.read_bytes() == (vivid_s_lists / item.file).read_bytes()
    assert main(["verify"]) == 0
    assert main(["list"]) == 0 and "present" in capsys.readouterr().out
