"""Paths read from a file stay inside their root: the one check every reader of lists and indexes uses.

A pairs file, a benchmark list, ``dataset.json`` or a shard names files by relative path. A line
``../../etc/passwd``, an absolute path or a symlink pointing out of the folder would otherwise be
read (and copied into the store) or written outside the folder it belongs to. The check resolves
the path (symlinks followed) before anything is opened and compares it with the resolved root.
"""

from __future__ import annotations

import os
from pathlib import Path


class PathEscapeError(ValueError):
    """A path from a file that resolves outside its root; the message names both."""


def confined(root: str | os.PathLike, *parts: str) -> Path | None:
    """``root/parts`` resolved (symlinks followed) when it stays inside ``root``; None when it escapes."""
    base = Path(root).resolve()
    try:
        resolved = base.joinpath(*parts).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return None
    return resolved if resolved == base or resolved.is_relative_to(base) else None


def confine(root: str | os.PathLike, *parts: str, what: str = "path") -> Path:
    """:func:`confined` or :class:`PathEscapeError` naming the path and the root."""
    path = confined(root, *parts)
    if path is None:
        raise PathEscapeError(f"{what} {'/'.join(parts)!r} resolves outside {root}; refused")
    return path


def is_plain_relative(name: str) -> bool:
    """A relative POSIX path without '..', empty parts, backslashes or NUL (a tar member, a split name)."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))
