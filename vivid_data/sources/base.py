"""What every source gives the build: candidate rows, plus notes for the stats."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd


@dataclass
class SourceResult:
    candidates: pd.DataFrame
    notes: dict[str, Any] = field(default_factory=dict)


class Source(Protocol):
    """``open()`` is a context manager: a source may need to keep something running (a loopback
    server, a crawler session) while the ingest stage fetches what it proposed."""

    def open(self) -> contextlib.AbstractContextManager[SourceResult]: ...


@contextlib.contextmanager
def no_resources(result: SourceResult) -> Iterator[SourceResult]:
    yield result
