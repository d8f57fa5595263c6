"""Dataset and subset labels: known names are checked, a near miss gets the closest known name.

A result reaches the published rows only under the exact dataset and subset names of the
baseline table (``ViViD``/``vivid_s``, ``VVT``/``vvt_test``, ...). A typo (``vivid-s``) would
silently put a result in a section of its own; it is an error with a suggestion instead. Names
far from every known one are accepted as the user's own dataset or subset.
"""

from __future__ import annotations

import difflib
from functools import lru_cache


class LabelError(ValueError):
    """A dataset or subset label that is almost, but not exactly, a known one."""


@lru_cache(maxsize=1)
def known_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    from vivid_eval.baselines import load_baselines

    table = load_baselines()
    return tuple(sorted(set(table["dataset"]))), tuple(sorted(set(table["subset"])))


def _normal(name: str) -> str:
    return name.casefold().replace("-", "_").replace(" ", "_")


def check_label(kind: str, name: str, known: tuple[str, ...]) -> str:
    """``name`` itself when known or unlike any known name; :class:`LabelError` on a near miss."""
    if name in known:
        return name
    exact = [k for k in known if _normal(k) == _normal(name)]
    close = exact or difflib.get_close_matches(_normal(name), [_normal(k) for k in known], n=1, cutoff=0.8)
    if close:
        suggestion = exact[0] if exact else next(k for k in known if _normal(k) == close[0])
        raise LabelError(
            f"unknown {kind} {name!r}; did you mean {suggestion!r}? (known {kind}s: {', '.join(known)}; "
            f"a name unlike all of them is taken as your own {kind})"
        )
    return name


def check_labels(dataset: str | None, subset: str | None) -> None:
    """Check the labels that are given (None: not checked)."""
    datasets, subsets = known_names()
    if dataset is not None:
        check_label("dataset", dataset, datasets)
    if subset is not None:
        check_label("subset", subset, subsets)
