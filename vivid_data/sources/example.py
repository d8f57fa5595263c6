"""Source ``example``: generate the embedded example (if not already there), then import it."""

from __future__ import annotations

from dataclasses import dataclass

from vivid_data.example import ExampleSpec, generate_example
from vivid_data.formats.folder_pair import FolderScan
from vivid_data.sources.vivid_folder import VividFolderSource


@dataclass
class EmbeddedExampleSource:
    out_dir: str
    per_category: int = 2
    num_frames: int = 32
    height: int = 256
    width: int = 192
    fps: int = 24
    seed: int = 0

    def scan(self) -> FolderScan:
        spec = ExampleSpec(self.per_category, self.num_frames, self.height, self.width, self.fps, self.seed)
        root = generate_example(self.out_dir, spec)
        return VividFolderSource(path=str(root), layout="release").scan()
