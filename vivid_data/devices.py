"""Where torch work runs: one rule for every part (build stages, evaluation, the model)."""

from __future__ import annotations


def resolve_device(name: str) -> str:
    """``auto``: the first visible GPU if there is one, else the CPU; any other name as given."""
    if name != "auto":
        return name
    import torch  # only when asked: the base install has no torch

    return "cuda" if torch.cuda.is_available() else "cpu"
