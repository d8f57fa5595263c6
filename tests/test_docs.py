"""The documentation: every command and Python block is run here or says why not, the README stays short,
and every timing names its machine and is not older than the code it times."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE_LANGUAGES = {"python", "bash", "sh", "shell", "console"}
MARKER = re.compile(r"^\s*<!-- docs-test: (?P<kind>run|not run|covered by)(?P<rest>.*?) -->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    marker: str | None  # the kind: run / not run / covered by
    detail: str  # what follows the kind (in=..., the reason, the test id)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, each with the docs-test marker on the line above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent = opening["indent"]
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        code = "\n".join(line[len(indent) :] for line in lines[i + 1 : end])
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.match(previous)
        found.append(
            Block(
                path,
                i + 1,
                opening["lang"],
                code,
                marker["kind"] if marker else None,
                marker["rest"].lstrip(": ").strip() if marker else "",
            )
        )
        i = end + 1
    return found


ALL_BLOCKS = [block for path in doc_files() for block in blocks(path)]
CODE_BLOCKS = [block for block in ALL_BLOCKS if block.lang in CODE_LANGUAGES]
RUN_BLOCKS = [block for block in CODE_BLOCKS if block.marker == "run"]


def test_the_docs_have_blocks_of_each_kind():
    assert len(ALL_BLOCKS) > 20 and {block.marker for block in CODE_BLOCKS} == {"run", "not run", "covered by"}


def test_every_fence_names_its_language():
    unnamed = [block.where for block in ALL_BLOCKS if not block.lang]
    assert not unnamed, f"fences without a language (use text for listings): {unnamed}"


def test_every_code_block_is_run_or_says_why_not():
    unmarked = [block.where for block in CODE_BLOCKS if block.marker is None]
    assert not unmarked, f"code blocks without a docs-test marker: {unmarked}"
    unexplained = [block.where for block in CODE_BLOCKS if block.marker == "not run" and len(block.detail) < 20]
    assert not unexplained, f"'not run' needs a reason: {unexplained}"


def test_covered_blocks_name_tests_that_exist():
    for block in (block for block in CODE_BLOCKS if block.marker == "covered by"):
        module, _, name = block.detail.partition("::")
        source = ROOT / module
        assert source.is_file() and f"def {name}(" in source.read_text(), f"{block.where}: no test {block.detail}"


def test_the_readme_is_short_and_links_into_the_docs():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 250
    for target in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / target).is_file(), f"README links to a missing page: {target}"
    commands = next(block for block in blocks(ROOT / "README.md") if block.lang == "bash")
    assert [line.split()[:2] for line in commands.code.splitlines()] == [["make", "demo"], ["make", "test"]]


@pytest.fixture
def docs_cwd(request, tmp_path: Path, monkeypatch) -> Path:
    """A working folder holding what a block's ``in=`` names, with the checkout's commands on PATH."""
    setup = request.param
    if setup == "dataset":
        dataset = request.getfixturevalue("example_dataset")
        shutil.copytree(Path(dataset).parent, tmp_path / "work" / "dataset")
    elif setup == "vivid_examples":
        shutil.copytree(request.getfixturevalue("vivid_samples"), tmp_path / "ViViD" / "data")
    elif setup:
        raise AssertionError(f"unknown docs-test setup in={setup}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


def _setup_of(block: Block) -> str:
    match = re.search(r"\bin=(\S+)", block.detail)
    return match.group(1) if match else ""


def _console(code: str) -> list[tuple[str, list[str]]]:
    """``$ command`` lines with the output lines shown under each."""
    steps: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line.strip():
            assert steps, f"output before any command: {line!r}"
            steps[-1][1].append(line.strip())
    return steps


@pytest.mark.parametrize(
    "block, docs_cwd",
    [pytest.param(block, _setup_of(block), id=block.where) for block in RUN_BLOCKS],
    indirect=["docs_cwd"],
)
def test_the_block_runs_as_written(block: Block, docs_cwd: Path, capsys):
    if block.lang == "python":
        exec(compile(block.code, block.where, "exec"), {"__name__": "__docs__"})
        return
    if block.lang == "console":
        for command, expected in _console(block.code):
            done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
            shown = " ".join((done.stdout + done.stderr).split())
            for line in expected:
                assert " ".join(line.split()) in shown, f"{block.where}: `{command}` did not print {line!r}: {shown}"
        return
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block.code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{block.where} failed:\n{done.stdout}\n{done.stderr}"


def _timings():
    spec = importlib.util.spec_from_file_location("timings", ROOT / "scripts" / "timings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_timing_is_stated_with_its_machine_on_its_page():
    entries = _timings().load()
    assert {"make_demo", "make_test", "eval_speed", "model_gpu"} <= set(entries)
    for name, entry in entries.items():
        page = (ROOT / "docs" / entry["page"]).read_text()
        assert entry["value"] in page, f"{name}: {entry['page']} does not state {entry['value']!r}"
        assert entry["machine"] in page, f"{name}: {entry['page']} does not name the machine {entry['machine']!r}"


def test_no_benchmark_timing_is_older_than_its_code():
    timings = _timings()
    entries = timings.load()
    for name in timings.stale(entries):
        entry = entries[name]
        if entry["kind"] == "suite":
            continue  # re-measured at the end of a session; `make test` lists them
        note = entry.get("stale")
        assert note, (
            f"{name}: the code it times changed since {entry['measured']}: re-run `{entry['command']}`, update "
            f"{entry['page']}, then `python scripts/timings.py stamp {name}` (or say in `stale` why it cannot be)"
        )
        assert note in (ROOT / "docs" / entry["page"]).read_text(), f"{name}: its page must print its stale note"


def test_the_timing_hash_follows_the_code(tmp_path: Path):
    timings = _timings()
    before = timings.code_hash(["benchmarks/timings.yaml"])
    assert before == timings.code_hash(["benchmarks/timings.yaml"]) and len(before) == 16
    assert timings.code_hash(["scripts/timings.py"]) != before
    with pytest.raises(ValueError, match="no tracked file"):
        timings.code_hash(["no/such/*.py"])
