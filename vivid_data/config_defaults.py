"""Defaults are written once, in the YAML of ``conf/``: the classes those files configure read theirs from there.

A user reads and overrides the YAML (``vivid-build --cfg job`` prints it whole), so that is where
each default value lives; a dataclass built from Python (a test, a notebook) gets the same values.

    @dataclass
    @defaults_from("clean/default.yaml", "filters")
    class CleanFilters:
        min_frames: int = FROM_YAML   # the value: conf/clean/default.yaml, filters.min_frames

Keys the YAML computes (``${work_dir}/...``) or leaves required (``???``), and nested configs of
their own (a dict with ``_target_``), give no default.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
from collections.abc import Callable
from importlib.resources import files
from typing import Any, TypeVar

import yaml

CONFIG_PACKAGE = "vivid_conf"
T = TypeVar("T")


@functools.cache
def _load(path: str) -> dict[str, Any]:
    return yaml.safe_load((files(CONFIG_PACKAGE) / path).read_text(encoding="utf-8")) or {}


def _is_default(value: Any) -> bool:
    if isinstance(value, str):
        return value != "???" and "${" not in value
    if isinstance(value, dict):
        return "_target_" not in value
    return True


def yaml_defaults(path: str, *keys: str) -> dict[str, Any]:
    """The default values at ``keys`` of ``conf/<path>`` (deep copies; ``_target_`` left out)."""
    node: Any = _load(path)
    for key in keys:
        node = node[key]
    return {k: copy.deepcopy(v) for k, v in node.items() if k != "_target_" and _is_default(v)}


class _FromYaml:
    """The default of a field whose value is in the YAML (``defaults_from`` puts it there)."""

    def __repr__(self) -> str:
        return "FROM_YAML"


#: written as a field's default in Python: "the YAML holds it"; replaced when the class is made
FROM_YAML: Any = _FromYaml()


def defaults_from(path: str, *keys: str) -> Callable[[type[T]], type[T]]:
    """Class decorator, placed under ``@dataclass``: each ``= FROM_YAML`` field gets the YAML's value.

    A field marked ``FROM_YAML`` that the YAML lacks, or a YAML key whose field has a default of
    its own in Python (the value would be written twice), is an error when the module loads;
    a nested dataclass built by ``default_factory`` reads its own part of the file.
    """

    def apply(cls: type[T]) -> type[T]:
        values = yaml_defaults(path, *keys)
        for name in inspect.get_annotations(cls):
            current = cls.__dict__.get(name, dataclasses.MISSING)
            if current is FROM_YAML:
                if name not in values:
                    raise TypeError(f"{cls.__name__}.{name} is FROM_YAML, but conf/{path} gives it no value")
                value = values[name]
                if isinstance(value, (dict, list)):
                    setattr(cls, name, dataclasses.field(default_factory=functools.partial(copy.deepcopy, value)))
                else:
                    setattr(cls, name, value)
            elif name in values and current is not dataclasses.MISSING:
                factory = getattr(current, "default_factory", None)
                if not (isinstance(current, dataclasses.Field) and dataclasses.is_dataclass(factory)):
                    raise TypeError(f"{cls.__name__}.{name}: a default in Python and in conf/{path}; keep the YAML's")
        return cls

    return apply
