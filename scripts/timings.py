"""The timings the documentation states, and whether the code each one times has changed since.

Every figure of time, speed or memory in the docs is an entry of ``benchmarks/timings.yaml``: the
page that states it, the text it is stated with, the machine, the date, the command that measured
it, the files it times (globs) and a hash of those files as they were when it was measured. A
change to those files makes the entry stale: re-run its command, update the page and the entry's
``value``, then ``python scripts/timings.py stamp ID``. An entry that cannot be re-measured here
(a GPU figure without a GPU) carries a ``stale`` note that its page must print beside the figure.

    python scripts/timings.py check            # list stale entries (exit 1 with --strict)
    python scripts/timings.py stamp ID [ID..]  # after re-measuring: hash of now, today's date
    python scripts/timings.py hash ID --at COMMIT   # the hash as the code was at a commit
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "benchmarks" / "timings.yaml"
REQUIRED = ("page", "value", "machine", "measured", "command", "code", "code_hash", "kind")
KINDS = ("benchmark", "suite")


def load(path: Path = REGISTRY) -> dict[str, dict[str, Any]]:
    """The registry, checked for the fields every entry needs."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for name, entry in entries.items():
        missing = [key for key in REQUIRED if not entry.get(key)]
        if missing:
            raise ValueError(f"{path}: timing {name!r} lacks {', '.join(missing)}")
        if entry["kind"] not in KINDS:
            raise ValueError(f"{path}: timing {name!r}: kind must be one of {KINDS}, got {entry['kind']!r}")
    return entries


def _tracked(at: str | None) -> list[str]:
    """Files git tracks now (with the work tree's uncommitted ones) or at commit ``at``."""
    if at is None:
        args = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    else:
        args = ["git", "ls-tree", "-r", "--name-only", at]
    return subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()


def _read(path: str, at: str | None) -> bytes:
    if at is None:
        file = ROOT / path
        return file.read_bytes() if file.is_file() else b""
    return subprocess.run(["git", "show", f"{at}:{path}"], cwd=ROOT, check=True, capture_output=True).stdout


def matching(globs: list[str], at: str | None = None) -> list[str]:
    """Tracked files matched by any glob (``**`` crosses folders), sorted."""
    return sorted(path for path in _tracked(at) if any(fnmatch.fnmatch(path, pattern) for pattern in globs))


def code_hash(globs: list[str], at: str | None = None) -> str:
    """sha256 over the matched files' paths and bytes: changes when the timed code does."""
    digest = hashlib.sha256()
    files = matching(globs, at)
    if not files:
        raise ValueError(f"no tracked file matches {globs}")
    for path in files:
        digest.update(path.encode() + b"\0" + _read(path, at) + b"\0")
    return digest.hexdigest()[:16]


def stale(entries: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Entries whose timed code changed since they were measured -> their command."""
    return {name: entry["command"] for name, entry in entries.items() if code_hash(entry["code"]) != entry["code_hash"]}


def _rewrite(entries: dict[str, dict[str, Any]]) -> None:
    header = "".join(line + "\n" for line in REGISTRY.read_text(encoding="utf-8").splitlines() if line.startswith("#"))
    body = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=120)
    tmp = REGISTRY.with_name(f".{REGISTRY.name}.tmp")
    tmp.write_text(header + body, encoding="utf-8")
    tmp.replace(REGISTRY)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="timings.py",
        description="Which documented timings time code that changed since they were measured.",
        epilog="examples:\n  python scripts/timings.py check\n  python scripts/timings.py stamp eval_speed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="list the stale entries")
    check.add_argument("--strict", action="store_true", help="exit 1 when a benchmark entry is stale")
    stamp = sub.add_parser("stamp", help="record that entries were re-measured today on this code")
    stamp.add_argument("names", nargs="+")
    at = sub.add_parser("hash", help="print an entry's code hash at a commit")
    at.add_argument("name")
    at.add_argument("--at", default=None, help="a commit (default: the work tree)")
    args = parser.parse_args(argv)
    entries = load()
    if args.command == "check":
        found = stale(entries)
        for name, command in found.items():
            note = " (noted stale in its page)" if entries[name].get("stale") else ""
            print(
                f"timings: {name} ({entries[name]['page']}) times code changed since {entries[name]['measured']}"
                f"{note}: re-run `{command}`"
            )
        strict = [name for name in found if entries[name]["kind"] == "benchmark" and not entries[name].get("stale")]
        return 1 if args.strict and strict else 0
    if args.command == "stamp":
        unknown = [name for name in args.names if name not in entries]
        if unknown:
            parser.error(f"unknown timing(s): {', '.join(unknown)} (known: {', '.join(entries)})")
        for name in args.names:
            entries[name]["code_hash"] = code_hash(entries[name]["code"])
            entries[name]["measured"] = dt.date.today().isoformat()
            entries[name].pop("stale", None)
        _rewrite(entries)
        return 0
    if args.name not in entries:
        parser.error(f"unknown timing {args.name!r}")
    print(code_hash(entries[args.name]["code"], args.at))
    return 0


if __name__ == "__main__":
    sys.exit(main())
