import json
from pathlib import Path

import pytest

from vivid_data.shards.index import DatasetIndexError, load_index, shard_paths


def test_errors_and_paths(tmp_path: Path):
    with pytest.raises(DatasetIndexError, match="not found"):
        load_index(tmp_path)
    (tmp_path / "dataset.json").write_text("{")
    with pytest.raises(DatasetIndexError, match="not a JSON"):
        load_index(tmp_path / "dataset.json")
    (tmp_path / "dataset.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(DatasetIndexError, match="not a vivid-webdataset"):
        load_index(tmp_path)
    index = {"format": "vivid-webdataset", "splits": {"train": {"shards": [{"path": "shards/train/train-000000.tar"}]}}}
    (tmp_path / "dataset.json").write_text(json.dumps(index))
    assert shard_paths(load_index(tmp_path), "train") == [str(tmp_path / "shards/train/train-000000.tar")]
    with pytest.raises(DatasetIndexError, match="split 'val'"):
        shard_paths(load_index(tmp_path), "val")


def test_shard_samples_groups_members_by_key(tmp_path: Path):
    import io
    import tarfile

    from vivid_data.shards.index import shard_samples

    path = tmp_path / "s.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in (("a.json", b"{}"), ("a.video.mp4", b"v1"), ("b.json", b"[]"), ("b.garment.jpg", b"g")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert list(shard_samples(path)) == [
        ("a", {"json": b"{}", "video.mp4": b"v1"}),
        ("b", {"json": b"[]", "garment.jpg": b"g"}),
    ]


def test_member_spans_read_back_the_bytes(tmp_path: Path):
    import io
    import tarfile

    from vivid_data.shards.index import member_spans, read_spans

    path = tmp_path / "s.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in (("a.json", b"{}"), ("a.video.mp4", b"video-a"), ("b.video.mp4", b"video-bb")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    spans = member_spans(path)
    assert sorted(spans) == ["a", "b"] and sorted(spans["a"]) == ["json", "video.mp4"]
    assert read_spans(path, {"x": spans["b"]["video.mp4"], "y": spans["a"]["video.mp4"]}) == {
        "x": b"video-bb",
        "y": b"video-a",
    }
