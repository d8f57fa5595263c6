"""A child process that frees memory the way a build's batches do and says how much left the process.

After a 16 MB block raised glibc's dynamic mmap threshold (what a large parquet buffer does), 48
one-MB blocks sitting between small live ones are freed; the child prints, as its last line, how
many KB of anonymous memory the frees gave back to the system.
"""

from __future__ import annotations

import os
import subprocess
import sys

FREE_BLOCKS = """
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


def child_env(**extra: str) -> dict[str, str]:
    """This environment without allocator settings, plus ``extra``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "ARROW_DEFAULT_MEMORY_POOL"}
    return {**kept, **extra}


def run_child(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env or child_env(), capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def freed_kb(prelude: str = "", after: str = "") -> int:
    """KB given back when the blocks are freed in a child that first ran ``prelude``; ``after`` runs
    between the frees and the measurement."""
    code = prelude + "\n" + FREE_BLOCKS.replace("print(before", after + "\nprint(before")
    return int(run_child(code).splitlines()[-1])
