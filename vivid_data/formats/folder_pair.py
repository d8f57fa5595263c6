"""What a folder scan finds: candidate pairs with their files, and every problem by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class FolderImportError(ValueError):
    """A folder that cannot be imported as asked; lists every offending file or line."""

    def __init__(self, root: Path, problems: list[str]) -> None:
        self.root = root
        self.problems = problems
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{root}: {len(problems)} problem(s):\n  {shown}{more}")


@dataclass
class FolderPair:
    """One garment-video pair found in a folder, before anything is read or copied."""

    category: str
    video: Path
    garment: Path
    origin: str
    split: str | None = None
    product_id: str | None = None
    extras: dict[str, Path] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)


@dataclass
class FolderScan:
    """Pairs found, problems (missing files, malformed lines) and videos no pairs file mentions."""

    root: Path
    layout: str
    pairs: list[FolderPair] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unpaired: list[str] = field(default_factory=list)

    def raise_if_problems(self) -> None:
        if self.problems:
            raise FolderImportError(self.root, self.problems)


def product_id_from_name(name: str) -> str:
    """ViViD names files ``<product>_detail.mp4`` / ``<product>_in_xl.jpg``: the product is the first token."""
    stem = Path(name).stem
    return stem.split("_", 1)[0] if "_" in stem else stem
