"""Append-only journal of finished rows: what makes a killed run resume without redoing work.

The journal file holds every finished row's outputs; memory holds only an index (key -> where
its line is, the input fingerprint, whether it failed), so resuming a 10,000-row stage does not
load 10,000 rows of outputs at once.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

#: byte offset of the line, 8 bytes of the input fingerprint, 1 if any output row failed
_PACK = struct.Struct("<Q8sB")


@dataclass(frozen=True)
class JournalMark:
    offset: int
    input: str
    failed: bool


def _pack(offset: int, fingerprint: str, failed: bool) -> bytes:
    raw = bytes.fromhex(fingerprint) if len(fingerprint) == 16 else fingerprint.encode()[:8].ljust(8, b"\0")
    return _PACK.pack(offset, raw, int(failed))


class Journal:
    """One JSON line per finished input row: key, stage config hash, input fingerprint, output rows.

    Each line is flushed and fsynced before the next row is taken as done; a line torn by a
    kill is ignored on reading. The latest line for a key (under the current stage hash) wins.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle: BinaryIO | None = None
        self._reader: BinaryIO | None = None
        self._index: dict[str, bytes] = {}

    def load(self, stage_hash: str) -> int:
        """Index the lines written under ``stage_hash``; returns how many keys it holds."""
        self._index = {}
        if not self.path.is_file():
            return 0
        with open(self.path, "rb") as handle:
            offset = 0
            for line in handle:
                start, offset = offset, offset + len(line)
                try:
                    entry = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    continue  # torn last line of a killed run
                if isinstance(entry, dict) and entry.get("hash") == stage_hash and "key" in entry:
                    self._remember(entry, start)
        return len(self._index)

    def _remember(self, entry: dict[str, Any], offset: int) -> None:
        failed = any(r.get("status") == "failed" for r in entry.get("rows", []))
        self._index[str(entry["key"])] = _pack(offset, str(entry.get("input") or ""), failed)

    def mark(self, key: str) -> JournalMark | None:
        packed = self._index.get(key)
        if packed is None:
            return None
        offset, raw, failed = _PACK.unpack(packed)
        return JournalMark(offset, raw.hex(), bool(failed))

    def entry(self, key: str) -> dict[str, Any] | None:
        """The latest journaled entry for ``key`` (read from the file)."""
        mark = self.mark(key)
        if mark is None:
            return None
        if self._handle is not None:
            self._handle.flush()
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 (kept open across rows; close())
        self._reader.seek(mark.offset)
        return json.loads(self._reader.readline())

    def append(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._repair_tail()
            self._handle = open(self.path, "ab")  # noqa: SIM115 (kept open across rows; close())
        offset = self._handle.seek(0, os.SEEK_END)
        self._handle.write(json.dumps(entry, sort_keys=True).encode("utf-8") + b"\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._remember(entry, offset)

    def _repair_tail(self) -> None:
        """Terminate a torn last line so the next entry starts on a line of its own."""
        if self.path.is_file() and self.path.stat().st_size:
            with open(self.path, "rb+") as handle:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    handle.write(b"\n")

    def close(self) -> None:
        for handle in (self._handle, self._reader):
            if handle is not None:
                handle.close()
        self._handle = self._reader = None

    def __len__(self) -> int:
        return len(self._index)
