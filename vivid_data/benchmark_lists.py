"""Published benchmark definitions (which clips, which frames, which garments), registered like weights.

Papers since 2025 report on ViViD-S: 180 test videos of the released ViViD dataset, 60 per
category, each scored on one 64-frame window. The clip list is not ours to ship (MagicTryOn
publishes it under CC BY-NC-SA 4.0), so it is registered here by URL at a pinned commit and
sha256, and read from a local copy: ``vivid-benchmarks fetch vivid_s`` downloads and checks it,
``vivid-benchmarks add FILE`` checks and copies one you already have. An evaluation on a
definition records its sha256, so two results (or a result and a published row) can be checked
to use the same clips and windows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from vivid_data.atomic import atomic_path
from vivid_data.net.download import DownloadError
from vivid_data.schema import CATEGORIES
from vivid_data.store import sha256_file

MAGICTRYON = "https://raw.githubusercontent.com/vivoCameraResearch/Magic-TryOn/0ef4b17869d9cccc86c61f5b7ec656d365e0ae82"
MAGICTRYON_SOURCE = (
    "vivoCameraResearch/Magic-TryOn at commit 0ef4b17869d9cccc86c61f5b7ec656d365e0ae82 (CC BY-NC-SA 4.0): "
    "MagicTryOn's ViViD-S test lists; ViViD-S as defined by CatV2TON (arXiv 2501.11325) section 4.1"
)


@dataclass(frozen=True)
class ListEntry:
    """One registered definition file: a named subset in one setting."""

    subset: str  # the leaderboard's subset label (vivid_s)
    setting: str  # paired | unpaired
    file: str
    url: str
    sha256: str
    clips: int
    per_category: int
    frames: int
    source: str

    @property
    def name(self) -> str:
        return f"{self.subset}_{self.setting}"


REGISTRY = {
    e.name: e
    for e in (
        ListEntry(
            "vivid_s",
            "paired",
            "test_data_180_paired.jsonl",
            f"{MAGICTRYON}/datasets/person/ViViD/test_data_180_paired.jsonl",
            "202f1165d4e47050a101bb3878e4f2ffc53f0679796d0d846de3d936ebcf7b6d",
            180,
            60,
            64,
            MAGICTRYON_SOURCE,
        ),
        ListEntry(
            "vivid_s",
            "unpaired",
            "test_data_180_unpaired.jsonl",
            f"{MAGICTRYON}/datasets/person/ViViD/test_data_180_unpaired.jsonl",
            "062c9cc3f251a2ad54f1069df4af4b833dffef8090878010b35ae92da5277a73",
            180,
            60,
            64,
            MAGICTRYON_SOURCE,
        ),
    )
}
#: subset labels that have a published definition (``vivid-eval subset=vivid_s`` evaluates exactly it)
PUBLISHED_SUBSETS = tuple(sorted({e.subset for e in REGISTRY.values()}))


class BenchmarkListError(ValueError):
    """A definition that is missing, corrupt or malformed; the message names the file and the fix."""


@dataclass(frozen=True)
class Clip:
    """One clip of a definition: a video of the released layout, its window and the garment to wear."""

    video: str  # file name under <category>/videos/
    category: str
    start: int
    end: int  # exclusive
    garment: str  # file name under <category>/images/ (another sample's in the unpaired setting)
    own_garment: str

    @property
    def clip_id(self) -> str:
        """The name a prediction has: the video's file stem (``1223311_detail``)."""
        return PurePosixPath(self.video).stem


@dataclass(frozen=True)
class Definition:
    entry: ListEntry
    path: Path
    sha256: str
    clips: tuple[Clip, ...]

    def record(self) -> dict:
        """What a result stores about the definition it was measured on."""
        return {
            "name": self.entry.subset,
            "setting": self.entry.setting,
            "file": self.entry.file,
            "url": self.entry.url,
            "sha256": self.sha256,
            "clips": len(self.clips),
        }


def lists_dir() -> Path:
    """Where local copies live: ``$VIVID_BENCHMARKS``, else ``$VIVID_HOME/benchmarks``, else the user cache."""
    if os.environ.get("VIVID_BENCHMARKS"):
        return Path(os.environ["VIVID_BENCHMARKS"]).expanduser()
    if os.environ.get("VIVID_HOME"):
        return Path(os.environ["VIVID_HOME"]).expanduser() / "benchmarks"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser()
    return cache / "vivid-toolkit" / "benchmarks"


def entry(subset: str, setting: str) -> ListEntry:
    key = f"{subset}_{setting}"
    if key not in REGISTRY:
        raise BenchmarkListError(
            f"no published definition {subset!r} in the {setting} setting; known: {', '.join(REGISTRY)}"
        )
    return REGISTRY[key]


def _how_to_get(item: ListEntry, folder: Path) -> str:
    return (
        f"run 'vivid-benchmarks fetch {item.subset}', or put a copy of {item.file} ({item.url}) in {folder} "
        f"(or 'vivid-benchmarks add /path/to/{item.file}')"
    )


def check_file(item: ListEntry, path: Path) -> str:
    """The file's sha256, or BenchmarkListError when it is not the registered file."""
    digest = sha256_file(path)
    if digest != item.sha256:
        raise BenchmarkListError(
            f"{path}: sha256 {digest} is not the registered {item.sha256} of {item.file} ({item.url}); "
            "the list was edited or is another version"
        )
    return digest


def path_of(item: ListEntry, folder: Path | None = None) -> Path:
    folder = folder or lists_dir()
    path = folder / item.file
    if not path.is_file():
        raise BenchmarkListError(
            f"{item.subset} ({item.setting}) needs {item.file} in {folder}: {_how_to_get(item, folder)}"
        )
    return path


def load_definition(subset: str, setting: str, folder: str | Path | None = None) -> Definition:
    """The registered definition from its local copy, hash-checked and validated row by row."""
    item = entry(subset, setting)
    path = path_of(item, Path(folder).expanduser() if folder else None)
    digest = check_file(item, path)
    return Definition(item, path, digest, parse_lines(path, item))


def _plain_name(value: object, where: str, field: str) -> str:
    """A file name from the list, confined: no folder part, no '..', not absolute, not empty."""
    if not isinstance(value, str) or not value.strip():
        raise BenchmarkListError(f"{where}: {field} must be a file name, got {value!r}")
    if value != PurePosixPath(value).name or value in (".", "..") or "\\" in value or "\x00" in value:
        raise BenchmarkListError(f"{where}: {field} {value!r} is not a plain file name (paths stay inside the folder)")
    return value


def parse_lines(path: Path, item: ListEntry) -> tuple[Clip, ...]:
    """Every row as a Clip; any malformed row is an error naming the file, the line and the field."""
    clips: list[Clip] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BenchmarkListError(f"{where}: not a JSON object ({exc})") from None
        if not isinstance(row, dict):
            raise BenchmarkListError(f"{where}: not a JSON object")
        category = row.get("subdir")
        if category not in CATEGORIES:
            raise BenchmarkListError(f"{where}: subdir must be one of {CATEGORIES}, got {category!r}")
        window = row.get("front_seqs")
        if (
            not isinstance(window, list)
            or len(window) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in window)
            or not 0 <= window[0] < window[1]
        ):
            raise BenchmarkListError(f"{where}: front_seqs must be [start, end) with 0 <= start < end, got {window!r}")
        video = _plain_name(row.get("video"), where, "video")
        garment = _plain_name(row.get("image"), where, "image")
        own = _plain_name(row.get("paired_image", garment), where, "paired_image")
        clips.append(Clip(video, category, window[0], window[1], garment, own))
    ids = [c.clip_id for c in clips]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise BenchmarkListError(f"{path}: clip(s) listed twice: {', '.join(repeated[:5])}")
    return tuple(clips)


def add(file: str | Path, folder: Path | None = None) -> tuple[ListEntry, Path]:
    """Copy a local copy of a registered list into the lists folder after checking its sha256."""
    source = Path(file).expanduser()
    if not source.is_file():
        raise BenchmarkListError(f"{source}: file not found")
    digest = sha256_file(source)
    matches = [e for e in REGISTRY.values() if e.sha256 == digest]
    if not matches:
        raise BenchmarkListError(
            f"{source}: sha256 {digest} matches no registered definition ("
            + ", ".join(f"{e.file} {e.sha256[:12]}..." for e in REGISTRY.values())
            + ")"
        )
    item = matches[0]
    target = (folder or lists_dir()) / item.file
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as temporary:
        shutil.copyfile(source, temporary)
    return item, target


def fetch(subset: str, url_base: str | None = None, allow_private_hosts=False) -> list[Path]:
    """Download every setting of a subset's definition through the safe downloader and check it."""
    from vivid_data.weights import download_verified

    items = [e for e in REGISTRY.values() if e.subset == subset]
    if not items:
        raise BenchmarkListError(f"unknown benchmark {subset!r}; known: {', '.join(PUBLISHED_SUBSETS)}")
    out = []
    for item in items:
        source = f"{url_base.rstrip('/')}/{item.file}" if url_base else item.url
        check: Callable[[Path], object] = partial(check_file, item)
        try:
            out.append(download_verified(source, lists_dir() / item.file, check, allow_private_hosts, 16 << 20))
        except DownloadError as exc:
            raise BenchmarkListError(f"fetching {item.file} from {source}: {exc}") from exc
    return out


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vivid-benchmarks",
        description="Published benchmark definitions (clip lists), kept outside the repository, checked by sha256.",
        epilog="examples:\n  vivid-benchmarks fetch vivid_s\n"
        "  vivid-benchmarks add ~/Downloads/test_data_180_paired.jsonl\n  vivid-benchmarks verify",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the registered definitions and whether a local copy is present")
    fetch_cmd = sub.add_parser("fetch", help="download a benchmark's lists from their pinned URLs")
    fetch_cmd.add_argument("subsets", nargs="+", help="e.g. vivid_s")
    fetch_cmd.add_argument("--url-base", help="a mirror: the folder URL that holds the files under their names")
    fetch_cmd.add_argument("--allow-private-hosts", nargs="*", default=False, help="networks allowed, e.g. 127.0.0.0/8")
    add_cmd = sub.add_parser("add", help="check local copies by sha256 and copy them into the lists folder")
    add_cmd.add_argument("files", nargs="+")
    sub.add_parser("verify", help="check every local copy against its registered sha256 and format")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``vivid-benchmarks list|fetch|add|verify``: one line per file, exit 1 when any failed."""
    args = _parser().parse_args(argv)
    status = 0
    try:
        if args.command == "list":
            for item in REGISTRY.values():
                path = lists_dir() / item.file
                print(f"{item.name:18s} {item.clips} clips  {'present' if path.is_file() else 'missing':8s} {path}")
        elif args.command == "fetch":
            allow = tuple(args.allow_private_hosts) if isinstance(args.allow_private_hosts, list) else False
            for subset in args.subsets:
                for path in fetch(subset, args.url_base, allow or False):
                    print(f"{subset}: {path}")
        elif args.command == "add":
            for file in args.files:
                try:
                    item, target = add(file)
                    print(f"{item.name}: {target}")
                except BenchmarkListError as exc:
                    print(f"vivid-benchmarks: {exc}", file=sys.stderr)
                    status = 1
        else:
            for item in REGISTRY.values():
                try:
                    definition = load_definition(item.subset, item.setting)
                    print(f"{item.name}: ok ({len(definition.clips)} clips, sha256 {definition.sha256[:16]})")
                except BenchmarkListError as exc:
                    print(f"{item.name}: unavailable: {exc}")
                    status = 1
    except BenchmarkListError as exc:
        print(f"vivid-benchmarks: {exc}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
