import os
import subprocess
import sys

import pytest

from vivid_data import heap

glibc_only = pytest.mark.skipif(heap._LIBC is None, reason="glibc's mallopt and malloc_trim are not available")

# A child process frees 48 one-MB blocks that sit between small live ones, after a 16 MB block
# raised glibc's dynamic mmap threshold (what a large parquet buffer does in a build); it prints
# how many KB of anonymous memory the frees gave back to the system.
FREED_BETWEEN_LIVE_BLOCKS = """
import sys
from vivid_data import heap
if sys.argv[1] == "tuned":
    heap.return_large_blocks_promptly()

def anon_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:"))

big = bytearray(16 << 20)
del big
pairs = [(bytearray(1 << 20), bytearray(4096)) for _ in range(48)]
before = anon_kb()
pinned = [small for _, small in pairs]
del pairs
print(before - anon_kb())
"""


def _child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "ARROW_DEFAULT_MEMORY_POOL"}


def _run(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env or _child_env(), capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@glibc_only
def test_freed_blocks_leave_the_process_only_with_the_tuned_allocator():
    default_kb = int(_run(FREED_BETWEEN_LIVE_BLOCKS, "default"))
    tuned_kb = int(_run(FREED_BETWEEN_LIVE_BLOCKS, "tuned"))
    assert default_kb < 8 * 1024  # glibc's defaults keep the 48 MB resident
    assert tuned_kb > 40 * 1024  # mapped one by one, each MB is unmapped when freed


@glibc_only
def test_allocator_settings_a_user_made_are_kept():
    code = "from vivid_data import heap; print(sorted(heap.return_large_blocks_promptly()))"
    assert _run(code) == "['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_']"
    env = {**_child_env(), "MALLOC_ARENA_MAX": "4"}
    assert _run(code, env=env) == "['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_']"


def test_the_build_uses_a_memory_pool_that_gives_memory_back():
    code = "from vivid_data.heap import use_returning_memory_pool as u; print(u())"
    assert _run(code) == "system"
    chosen = _run(code, env={**_child_env(), "ARROW_DEFAULT_MEMORY_POOL": "jemalloc"})
    assert chosen == "jemalloc"  # a user's choice is kept


@glibc_only
def test_trimming_returns_freed_heap_pages():
    code = FREED_BETWEEN_LIVE_BLOCKS.replace("print(before", "heap.give_back_freed_memory()\nprint(before")
    assert int(_run(code, "default")) > 40 * 1024
