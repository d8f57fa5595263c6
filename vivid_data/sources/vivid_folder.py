"""Source ``vivid_folder``: an existing ViViD folder, in the inference or the released layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vivid_data.candidates import candidates_frame
from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.formats.folder_pair import FolderPair, FolderScan, product_id_from_name
from vivid_data.formats.inference_layout import is_inference_layout, scan_inference_layout
from vivid_data.formats.release_layout import is_release_layout, scan_release_layout
from vivid_data.sources.base import SourceResult, no_resources

LAYOUTS = ("auto", "inference", "release")
ON_MISSING = ("error", "skip")
SETTING_CHOICES = ("auto", "paired", "unpaired")
#: folder names that say nothing about the dataset (the official repository keeps its examples in data/)
GENERIC_FOLDER_NAMES = ("data", "dataset", "datasets", "videos", "test", "train", "input", "inputs")


def pair_setting(pair: FolderPair, setting: str = "auto") -> str:
    """Whether the garment is the one worn in the video. ViViD names both files by product
    (``1057795_detail.mp4`` / ``1057795_in_xl.jpg``): the same product is paired; another one (the
    official examples dress ``upper1.mp4`` in ``00057_00.jpg``) is unpaired."""
    if setting != "auto":
        return setting
    same = product_id_from_name(pair.video.name) == product_id_from_name(pair.garment.name)
    return "paired" if same else "unpaired"


@dataclass
@defaults_from("source/vivid_folder.yaml")
class VividFolderSource:
    """Find the pairs of a local folder; nothing is read or copied until ingest."""

    path: str | None
    layout: str = FROM_YAML
    pairs: str | None = FROM_YAML
    prompt_config: str | None = FROM_YAML
    category: str | None = FROM_YAML
    split: str | None = FROM_YAML
    setting: str = FROM_YAML
    on_missing: str = FROM_YAML

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError("source vivid_folder needs a folder: pass path=/the/folder (or source.path=...)")
        if self.layout not in LAYOUTS:
            raise ValueError(f"source.layout must be one of {LAYOUTS}, got {self.layout!r}")
        if self.on_missing not in ON_MISSING:
            raise ValueError(f"source.on_missing must be one of {ON_MISSING}, got {self.on_missing!r}")
        if self.setting not in SETTING_CHOICES:
            raise ValueError(f"source.setting must be one of {SETTING_CHOICES}, got {self.setting!r}")

    @property
    def dataset_name(self) -> str:
        """The folder's name (ViViD's released data unpacked into ``ViViD/`` is named ViViD); a generic
        one (the official repository's ``data/``) is prefixed with its parent's: ``ViViD-data``."""
        name = self.root.name
        if name.lower() in GENERIC_FOLDER_NAMES and self.root.parent.name:
            return f"{self.root.parent.name}-{name}"
        return name

    @property
    def root(self) -> Path:
        if not self.path:
            raise ValueError("source=vivid_folder needs path=<the ViViD folder>")
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

    def open(self):
        return no_resources(scan_to_candidates(self.scan(), local_files=True, setting=self.setting))


EXTRA_SOURCES = {
    "garment_mask": "garment_mask_src",
    "agnostic": "agnostic_src",
    "agnostic_mask": "agnostic_mask_src",
    "densepose": "densepose_src",
}


def pair_to_candidate(
    pair: FolderPair, locate=lambda path: path.as_uri(), local_files: bool = True, setting: str = "auto"
) -> dict:
    """One candidate row for a folder pair; ``locate`` maps a file to where ingest fetches it."""
    row = {
        "setting": pair_setting(pair, setting),
        "category": pair.category,
        "product_id": pair.product_id,
        "video_src": locate(pair.video),
        "garment_src": locate(pair.garment),
        "video_name": pair.video.name,
        "garment_name": pair.garment.name,
        "split": pair.split,
        "origin": pair.origin,
        "local_files": local_files,
        **{column: locate(pair.extras[m]) for m, column in EXTRA_SOURCES.items() if m in pair.extras},
    }
    row.update(
        {k: v for k, v in pair.provenance.items() if k in ("video_url", "garment_url", "license", "attribution")}
    )
    return row


def scan_to_candidates(
    scan: FolderScan, locate=lambda path: path.as_uri(), local_files: bool = True, setting: str = "auto"
) -> SourceResult:
    frame = candidates_frame([pair_to_candidate(p, locate, local_files, setting) for p in scan.pairs])
    notes = {"root": str(scan.root), "layout": scan.layout, "problems": scan.problems, "unpaired": scan.unpaired}
    return SourceResult(frame, notes)
