import hashlib
from pathlib import Path

import pytest

from vivid_data.store import ContentStore, key_for, sha256_file


def test_identical_bytes_are_stored_once(tmp_path: Path):
    store = ContentStore(tmp_path / "store")
    a = tmp_path / "a.mp4"
    b = tmp_path / "b.mp4"
    a.write_bytes(b"same bytes")
    b.write_bytes(b"same bytes")
    first, second = store.put_file(a, "mp4"), store.put_file(b, "mp4")
    third = store.put_bytes(b"same bytes", "mp4")
    assert first == second == third
    assert first.sha256 == hashlib.sha256(b"same bytes").hexdigest() == sha256_file(a)
    assert len([p for p in store.root.rglob("*") if p.is_file()]) == 1
    assert store.read_bytes(first.key) == b"same bytes"
    assert store.path(first.key).parent.name == first.sha256[:2]


def test_keys_normalise_suffix_and_refuse_paths(tmp_path: Path):
    assert key_for("ab" * 32, "jpeg").endswith(".jpg")
    store = ContentStore(tmp_path)
    with pytest.raises(ValueError):
        store.path("../etc/passwd")
    with pytest.raises(FileNotFoundError, match="missing"):
        store.read_bytes(key_for("00" * 32, "mp4"))
