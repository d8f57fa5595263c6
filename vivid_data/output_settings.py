"""An output folder records the settings that made it; a rerun with other settings refuses or replaces.

``vivid-generate``, ``vivid-sanity`` and ``vivid-eval`` resume into an existing folder (a video
already there is kept). That is right when the settings are the same and wrong otherwise: videos
made with 20 steps under a record that says 3, seed-0 shuffles under seed 7, an earlier
evaluation's columns silently replaced. :func:`claim` compares the settings a command is about to
use with the ones the folder records (``<folder>/.vivid-settings.json``) and says what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from vivid_data.atomic import atomic_write_text

RECORD = ".vivid-settings.json"


class OutputSettingsError(ValueError):
    """A folder made with other settings; the message names the differing keys and the two ways out."""


def _digest(settings: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _flat(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """'generation.steps: 20 -> 3' for each setting that changed (nested keys dotted), the first six."""
    old, new = _flat(old), _flat(new)
    keys = sorted(set(old) | set(new))
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)][:6]


def claim(
    folder: str | os.PathLike,
    command: str,
    settings: dict[str, Any],
    overwrite: bool = False,
    outputs: tuple[str, ...] = ("*.mp4",),
) -> str:
    """``"new"`` (nothing there), ``"resume"`` (same settings: keep what is there) or ``"replaced"``
    (other settings and ``overwrite``: the earlier outputs matching ``outputs`` were removed).

    Other settings without ``overwrite`` raise :class:`OutputSettingsError`; so does a folder that
    holds outputs but no record (made before records were kept, or by hand)."""
    folder = Path(folder)
    path = folder / RECORD
    settings = json.loads(json.dumps(settings, default=str))  # what the record will read back
    previous = json.loads(path.read_text()) if path.is_file() else None
    existing = sorted(p for pattern in outputs for p in folder.glob(pattern)) if folder.is_dir() else []
    state = "new"
    if previous is not None and previous.get("digest") == _digest(settings):
        return "resume"
    if previous is not None or existing:
        if not overwrite:
            what = (
                "other settings (" + "; ".join(_differences(previous.get("settings", {}), settings)) + ")"
                if previous is not None
                else f"{len(existing)} output(s) and no record of their settings"
            )
            raise OutputSettingsError(
                f"{folder}: holds {command} outputs made with {what}; use another output folder, or "
                "overwrite=true to replace them"
            )
        for old in existing:
            old.unlink()
        state = "replaced"
    folder.mkdir(parents=True, exist_ok=True)
    record = {"command": command, "digest": _digest(settings), "settings": settings}
    atomic_write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return state
