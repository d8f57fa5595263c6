"""How the build's main process allocates, so that memory freed after each manifest batch leaves the process.

The main process of a build reads and writes manifests a batch at a time; what a batch allocates
(parquet buffers, Python strings, numpy arrays) is freed before the next. Three allocator defaults
keep those freed bytes resident, so that a long build grows with its row count although it holds
no more rows:

- Arrow's own pool (mimalloc) keeps what it freed: ~17 KB per row over a 3,000-row build.
- glibc raises its mmap threshold to the largest block freed so far (up to 32 MB), after which
  multi-MB buffers come from the heap, and pages freed below a live block stay resident.
- Each thread that allocates may get an arena of its own, which trimming reaches only partly.

Measured with ``benchmarks/build_at_scale.py``'s shop (ingest, clean and shard, 2 workers,
1,000 vs 5,000 rows), the final anonymous memory of the main process grew 15 MiB with only the
Arrow pool changed and 3.5 MiB with the glibc settings below as well (~0.9 KB per row).
Pool workers are separate processes started with ``spawn`` and keep glibc's defaults, which
suit frame decoding.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable

import pyarrow as pa

#: blocks at least this large are mapped and unmapped one by one (glibc's ``M_MMAP_THRESHOLD``)
MMAP_THRESHOLD_BYTES = 64 * 1024
#: free memory at the top of the heap beyond this is returned at once (``M_TRIM_THRESHOLD``)
TRIM_THRESHOLD_BYTES = 128 * 1024
#: at most this many malloc arenas for all threads (``M_ARENA_MAX``)
ARENA_MAX = 2

# glibc's mallopt parameter numbers (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
# the environment variables through which a user sets the same parameters at start-up
_USER_SETTINGS = {
    _M_TRIM_THRESHOLD: "MALLOC_TRIM_THRESHOLD_",
    _M_MMAP_THRESHOLD: "MALLOC_MMAP_THRESHOLD_",
    _M_ARENA_MAX: "MALLOC_ARENA_MAX",
}


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 (present only in glibc)
    except (OSError, AttributeError):  # macOS, musl: their allocators have neither
        return None
    return libc


_LIBC = _glibc()
_MALLOC_TRIM: Callable[[int], int] | None = None if _LIBC is None else _LIBC.malloc_trim


def use_returning_memory_pool() -> str:
    """Have Arrow allocate from the C library's allocator in this process; returns the pool's name.

    ``vivid_data`` sets ``ARROW_DEFAULT_MEMORY_POOL=system`` on import (unless set), which is what
    Arrow's C++ readers and writers use; this also switches pyarrow's Python-level default in a
    process that imported pyarrow before ``vivid_data``. A pool the user chose is left alone.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL", "system") == "system":
        pa.set_memory_pool(pa.system_memory_pool())
    return pa.default_memory_pool().backend_name


def return_large_blocks_promptly() -> dict[str, int]:
    """Set glibc's mmap threshold, trim threshold and arena count for this process; returns what was set.

    A fixed 64 KB mmap threshold gives every batch-sized buffer back to the system when it is
    freed (the cost, a page fault per touched page, is small next to a parquet read). Settings the
    user made through glibc's ``MALLOC_*`` environment variables are kept; elsewhere than glibc
    nothing is set.
    """
    if _LIBC is None:
        return {}
    chosen = {_M_MMAP_THRESHOLD: MMAP_THRESHOLD_BYTES, _M_TRIM_THRESHOLD: TRIM_THRESHOLD_BYTES, _M_ARENA_MAX: ARENA_MAX}
    applied = {}
    for parameter, value in chosen.items():
        name = _USER_SETTINGS[parameter]
        if name not in os.environ and _LIBC.mallopt(parameter, value) == 1:
            applied[name] = value
    return applied


def give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system (glibc ``malloc_trim``; a no-op elsewhere).

    Each batch frees a few MB of rows, parquet buffers and strings; glibc keeps freed pages below
    a live block resident for reuse until told otherwise. A trim per 512-row batch costs well
    under a millisecond.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def prepare_main_process() -> None:
    """Both allocator choices above, for a process that coordinates a build and ends with it.

    ``vivid-build`` makes them before it builds. :func:`vivid_data.build.run_build` makes only the
    Arrow one: the glibc settings stay for the life of the process and slow tensor-heavy work that
    follows (model tests: 71 s -> 92 s), so a notebook or script that builds and then trains in one
    process calls this itself when it wants the build's memory flat."""
    use_returning_memory_pool()
    return_large_blocks_promptly()
