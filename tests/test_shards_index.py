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


@pytest.mark.parametrize(
    "splits, message",
    [
        ({"../../../../elsewhere/x": {"shards": []}}, "split name '../../../../elsewhere/x' is not a plain name"),
        ({"train": {"shards": [{"path": "../outside.tar"}]}}, "shard path '../outside.tar' of split train leaves"),
        ({"train": {"shards": [{"path": "/etc/passwd"}]}}, "shard path '/etc/passwd' of split train leaves"),
        ({"a/b": {"shards": []}}, "split name 'a/b'"),
    ],
)
def test_an_index_naming_paths_outside_its_folder_is_refused(tmp_path: Path, splits, message: str):
    (tmp_path / "dataset.json").write_text(json.dumps({"format": "vivid-webdataset", "splits": splits}))
    with pytest.raises(DatasetIndexError, match=message):
        load_index(tmp_path)


def test_a_shard_path_symlinked_out_of_the_folder_is_refused(tmp_path: Path):
    (tmp_path / "outside.tar").write_bytes(b"")
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "train.tar").symlink_to(tmp_path / "outside.tar")
    index = {"format": "vivid-webdataset", "splits": {"train": {"shards": [{"path": "train.tar"}]}}}
    (tmp_path / "ds" / "dataset.json").write_text(json.dumps(index))
    with pytest.raises(DatasetIndexError, match=r"shard path 'train\.tar' of split train leaves"):
        load_index(tmp_path / "ds")


@pytest.mark.parametrize("member", ["../evil.json", "/abs.json", "sub/a.json", "link"])
def test_verify_refuses_members_the_loader_refuses(tmp_path: Path, member: str):
    import hashlib
    import io
    import tarfile

    from vivid_data.shards.index import verify_dataset

    shard = tmp_path / "shards" / "train-000000.tar"
    shard.parent.mkdir()
    with tarfile.open(shard, "w") as tar:
        info = tarfile.TarInfo(member)
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 2
            tar.addfile(info, io.BytesIO(b"{}"))
    data = shard.read_bytes()
    record = {
        "path": "shards/train-000000.tar",
        "count": 1,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    index = {"format": "vivid-webdataset", "splits": {"train": {"shards": [record]}}}
    (tmp_path / "dataset.json").write_text(json.dumps(index))
    problems = verify_dataset(tmp_path)
    assert len(problems) == 1 and repr(member) in problems[0]
