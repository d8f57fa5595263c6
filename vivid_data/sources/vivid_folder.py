"""Source ``vivid_folder``: an existing ViViD folder, in the inference or the released layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vivid_data.formats.folder_pair import FolderScan
from vivid_data.formats.inference_layout import is_inference_layout, scan_inference_layout
from vivid_data.formats.release_layout import is_release_layout, scan_release_layout

LAYOUTS = ("auto", "inference", "release")
ON_MISSING = ("error", "skip")


@dataclass
class VividFolderSource:
    """Find the pairs of a local folder; nothing is read or copied until ingest."""

    path: str | None
    layout: str = "auto"
    pairs: str | None = None
    prompt_config: str | None = None
    category: str | None = None
    split: str | None = None
    on_missing: str = "error"

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError("source vivid_folder needs a folder: pass path=/the/folder (or source.path=...)")
        if self.layout not in LAYOUTS:
            raise ValueError(f"source.layout must be one of {LAYOUTS}, got {self.layout!r}")
        if self.on_missing not in ON_MISSING:
            raise ValueError(f"source.on_missing must be one of {ON_MISSING}, got {self.on_missing!r}")

    @property
    def root(self) -> Path:
        return Path(self.path).expanduser().resolve()

    def detect_layout(self) -> str:
        root = self.root
        if not root.is_dir():
            raise FileNotFoundError(f"{root}: ViViD folder not found")
        if self.layout != "auto":
            return self.layout
        if is_release_layout(root):
            return "release"
        if is_inference_layout(root):
            return "inference"
        raise ValueError(
            f"{root}: neither ViViD layout found (expected <category>/videos/ for the released layout, "
            "or videos/ and cloth/ for the inference layout)"
        )

    def scan(self) -> FolderScan:
        """Pairs of the folder; with ``on_missing=error`` any missing file stops the build before it starts."""
        layout = self.detect_layout()
        if layout == "release":
            scan = scan_release_layout(self.root)
        else:
            scan = scan_inference_layout(
                self.root,
                pairs_file=Path(self.pairs).expanduser().resolve() if self.pairs else None,
                prompt_config=Path(self.prompt_config).expanduser().resolve() if self.prompt_config else None,
                category=self.category,
                split=self.split,
            )
        if self.on_missing == "error":
            scan.raise_if_problems()
        return scan
