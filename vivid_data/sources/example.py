"""Source ``example``: generate the embedded example, serve it on loopback HTTP, propose its URLs.

Serving it makes ``make demo`` exercise the real downloader (streaming, sniffing, store) rather
than a file copy; the server lives exactly as long as the build.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.example import ExampleSpec, generate_example
from vivid_data.net.serve import serve_directory
from vivid_data.sources.base import SourceResult
from vivid_data.sources.vivid_folder import VividFolderSource, scan_to_candidates


@dataclass
@defaults_from("source/example.yaml", "source")
class EmbeddedExampleSource:
    out_dir: str
    per_category: int = FROM_YAML
    num_frames: int = FROM_YAML
    height: int = FROM_YAML
    width: int = FROM_YAML
    fps: int = FROM_YAML
    seed: int = FROM_YAML
    serve: bool = FROM_YAML

    dataset_name = "example"  # the built dataset's name in dataset.json

    def generate(self) -> Path:
        spec = ExampleSpec(self.per_category, self.num_frames, self.height, self.width, self.fps, self.seed)
        return generate_example(self.out_dir, spec).resolve()

    def scan(self):
        return VividFolderSource(path=str(self.generate()), layout="release").scan()

    @contextlib.contextmanager
    def open(self) -> Iterator[SourceResult]:
        root = self.generate()
        scan = VividFolderSource(path=str(root), layout="release").scan()
        if not self.serve:
            yield scan_to_candidates(scan)
            return
        with serve_directory(root) as base_url:

            def locate(path: Path) -> str:
                return f"{base_url}/{quote(path.relative_to(root).as_posix())}"

            result = scan_to_candidates(scan, locate=locate, local_files=False)
            result.notes["served_at"] = base_url
            yield result
