import json
import subprocess
from pathlib import Path

import pytest
import webdataset as wds
from conftest import import_folder

from vivid_data.shards.index import load_index, verify_dataset
from vivid_data.shards.writer import ShardConfig, write_dataset
from vivid_data.store import ContentStore


@pytest.fixture(scope="module")
def imported(small_example, tmp_path_factory):
    work = tmp_path_factory.mktemp("work")
    frame, _ = import_folder(small_example, work)
    return frame, ContentStore(work / "store")


def build(imported, out: Path, **options) -> Path:
    frame, store = imported
    return write_dataset(frame, store, ShardConfig(out_dir=str(out), **options), progress=False)


def test_shards_index_and_plain_readers(imported, tmp_path: Path):
    index_path = build(imported, tmp_path / "ds", maxcount=2)
    index = load_index(index_path)
    assert index["split_decision"] == "kept the source's splits" and index["leakage"] == []
    from importlib.metadata import version

    import vivid_data

    assert index["toolkit_version"] == vivid_data.__version__ == version("vivid-toolkit")  # written once
    assert {s: p["count"] for s, p in index["splits"].items()} == {"train": 3, "test": 3}
    assert [len(p["shards"]) for p in index["splits"].values()] == [2, 2]
    assert index["splits"]["train"]["categories"] == {"upper_body": 1, "lower_body": 1, "dresses": 1}
    first = tmp_path / "ds" / index["splits"]["train"]["shards"][0]["path"]
    assert first.name == "train-000000.tar"
    listing = subprocess.run(["tar", "-tf", str(first)], capture_output=True, text=True, check=True).stdout.split()
    keys = {name.split(".", 1)[0] for name in listing}
    assert len(keys) == 2 and all("." not in key for key in keys)
    assert {name.split(".", 1)[1] for name in listing} >= {
        "video.mp4",
        "agnostic.mp4",
        "agnostic_mask.mp4",
        "densepose.mp4",
        "garment.jpg",
        "garment_mask.png",
        "json",
    }
    samples = list(wds.WebDataset(str(first), shardshuffle=False, empty_check=False))
    meta = json.loads(samples[0]["json"])
    assert meta["sample_id"] == samples[0]["__key__"] and meta["split"] == "train"
    assert meta["sha256"]["video.mp4"] and meta["license"] == "CC0-1.0"
    assert verify_dataset(index_path) == []
    pairs = (tmp_path / "ds" / "pairs" / "upper_body" / "test_pairs.txt").read_text()
    assert pairs == "9100002_detail.mp4 9100002_in_xl.jpg\n"


def test_rebuild_is_byte_identical_and_reuses_shards(imported, tmp_path: Path):
    first = json.loads(build(imported, tmp_path / "a").read_text())
    second = json.loads(build(imported, tmp_path / "b").read_text())
    assert [s["sha256"] for s in first["splits"]["train"]["shards"]] == [
        s["sha256"] for s in second["splits"]["train"]["shards"]
    ]
    shard = tmp_path / "a" / first["splits"]["train"]["shards"][0]["path"]
    before = shard.stat().st_mtime_ns
    build(imported, tmp_path / "a")
    assert shard.stat().st_mtime_ns == before


def test_killed_shard_stage_rewrites_only_unfinished(imported, tmp_path: Path):
    index_path = build(imported, tmp_path / "ds", maxcount=1)
    index = json.loads(index_path.read_text())
    shards = [tmp_path / "ds" / s["path"] for p in index["splits"].values() for s in p["shards"]]
    # as if killed: the index is gone, one shard is half written, one never finished
    index_path.unlink()
    broken = shards[1]
    broken.with_name(f".{broken.name}.done.json").unlink()
    (broken.parent / f".{broken.name}.tmp").write_bytes(broken.read_bytes()[:1000])
    broken.unlink()
    times = {s: s.stat().st_mtime_ns for s in shards if s.exists()}
    build(imported, tmp_path / "ds", maxcount=1)
    assert broken.is_file() and verify_dataset(index_path) == []
    assert all(s.stat().st_mtime_ns == t for s, t in times.items())


def test_verify_detects_truncated_and_altered_shards(imported, tmp_path: Path):
    index_path = build(imported, tmp_path / "ds")
    index = json.loads(index_path.read_text())
    train = tmp_path / "ds" / index["splits"]["train"]["shards"][0]["path"]
    test = tmp_path / "ds" / index["splits"]["test"]["shards"][0]["path"]
    train.write_bytes(train.read_bytes()[: train.stat().st_size // 2])
    data = bytearray(test.read_bytes())
    data[600] ^= 0xFF
    test.write_bytes(bytes(data))
    problems = verify_dataset(index_path)
    assert any("train-000000.tar" in p and "bytes" in p for p in problems)
    assert any("test-000000.tar" in p and "altered" in p for p in problems)


def test_group_split_when_the_source_has_none(imported, tmp_path: Path):
    frame, store = imported
    unsplit = frame.copy()
    unsplit["split"] = None
    index = json.loads(
        write_dataset(
            unsplit, store, ShardConfig(out_dir=str(tmp_path / "ds"), test_fraction=0.5), progress=False
        ).read_text()
    )
    assert index["split_decision"].startswith("assigned") and index["leakage"] == []
    assert index["splits"]["test"]["count"] == 3


def test_ray_data_reads_the_shards(imported, tmp_path: Path):
    import ray

    index_path = build(imported, tmp_path / "ds")
    shards = [str(tmp_path / "ds" / s["path"]) for s in json.loads(index_path.read_text())["splits"]["train"]["shards"]]
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        rows = ray.data.read_webdataset(shards, decoder=None).take_all()
    finally:
        ray.shutdown()
    assert len(rows) == 3 and len({r["__key__"] for r in rows}) == 3
    assert all(bytes(r["video.mp4"])[4:8] == b"ftyp" for r in rows)


def test_unpaired_sources_stay_unpaired_through_the_shards_and_the_evaluator(small_example, tmp_path: Path):
    """A folder whose garments are not the ones worn (source.setting=unpaired, as the official examples):
    the samples say so, the paired test lists leave them out, and vivid-eval refuses to score them paired."""
    from vivid_data.samples import sample_index
    from vivid_eval.evaluate import refuse_unpaired_references
    from vivid_eval.inputs import EvaluationInputError, match

    frame, _ = import_folder(small_example, tmp_path / "work", setting="unpaired")
    assert set(frame["setting"]) == {"unpaired"}
    index_path = write_dataset(
        frame, ContentStore(tmp_path / "work" / "store"), ShardConfig(out_dir=str(tmp_path / "ds")), progress=False
    )
    own = [json.loads(line) for line in (tmp_path / "ds" / "pairs" / "test.jsonl").read_text().splitlines()]
    assert {e["setting"] for e in own if e["garment_sample_id"] == e["sample_id"]} == {"unpaired"}
    assert (tmp_path / "ds" / "pairs" / "upper_body" / "test_pairs.txt").read_text() == ""
    samples = sample_index(index_path, "test")
    assert {s.meta["setting"] for s in samples.values()} == {"unpaired"}
    preds = tmp_path / "preds"
    preds.mkdir()
    for key in samples:
        (preds / f"{key}.mp4").write_bytes(b"")
    report = match(preds, str(index_path), "test")
    with pytest.raises(EvaluationInputError, match=r"3 reference\(s\) are unpaired .* setting=unpaired"):
        refuse_unpaired_references(report.pairs, "paired")
    refuse_unpaired_references(report.pairs, "unpaired")  # the unpaired setting is what they are for
