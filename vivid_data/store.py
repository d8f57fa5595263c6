"""Content-addressed store: every file kept once under its sha256, written atomically."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from vivid_data.atomic import atomic_open, atomic_write_bytes

CHUNK = 1 << 20
_SUFFIX_OF_KIND = {"jpeg": "jpg", "mov": "mp4"}


@dataclass(frozen=True)
class StoredObject:
    key: str
    sha256: str
    size: int


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def key_for(sha256: str, suffix: str) -> str:
    suffix = _SUFFIX_OF_KIND.get(suffix.lstrip("."), suffix.lstrip("."))
    if not suffix.isalnum():
        raise ValueError(f"bad store suffix {suffix!r}")
    return f"{sha256}.{suffix}"


class ContentStore:
    """Files named ``<sha256>.<suffix>`` under ``root/<first two hex>/``.

    Keys, not paths, go into manifests, so a work directory can move and identical
    bytes arriving under different names or URLs are stored once.
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if "/" in key or key.startswith(".") or len(key) < 3:
            raise ValueError(f"bad store key {key!r}")
        return self.root / key[:2] / key

    def has(self, key: str) -> bool:
        return self.path(key).is_file()

    def read_bytes(self, key: str) -> bytes:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: store object {key} is missing")
        return path.read_bytes()

    def put_bytes(self, data: bytes, suffix: str) -> StoredObject:
        sha = hashlib.sha256(data).hexdigest()
        key = key_for(sha, suffix)
        if not self.has(key):
            atomic_write_bytes(self.path(key), data)
        return StoredObject(key, sha, len(data))

    def put_file(self, source: str | os.PathLike, suffix: str) -> StoredObject:
        """Copy a file in (streamed, hashed on the way); a file already present is not copied again."""
        sha = sha256_file(source)
        key = key_for(sha, suffix)
        target = self.path(key)
        if not target.is_file():
            with open(source, "rb") as src, atomic_open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
        return StoredObject(key, sha, target.stat().st_size)
