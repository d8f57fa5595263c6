"""Append-only journal of finished rows: what makes a killed run resume without redoing work."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO


class Journal:
    """One JSON line per finished input row: key, stage config hash, output rows, duration.

    Each line is flushed and fsynced before the next row is taken as done; a line torn by a
    kill is ignored on reading. The latest line for a (key, hash) wins.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle: TextIO | None = None

    def load(self, stage_hash: str) -> dict[str, dict[str, Any]]:
        entries: dict[str, dict[str, Any]] = {}
        if not self.path.is_file():
            return entries
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # torn last line of a killed run
                if isinstance(entry, dict) and entry.get("hash") == stage_hash and "key" in entry:
                    entries[entry["key"]] = entry
        return entries

    def append(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._repair_tail()
            self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (kept open across rows; close())
        self._handle.write(json.dumps(entry, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def _repair_tail(self) -> None:
        """Terminate a torn last line so the next entry starts on a line of its own."""
        if self.path.is_file() and self.path.stat().st_size:
            with open(self.path, "rb+") as handle:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    handle.write(b"\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
