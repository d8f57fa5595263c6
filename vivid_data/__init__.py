"""Dataset construction for video virtual try-on: sources, stages, manifests, video I/O, shards."""

import os

# Arrow's own allocator (mimalloc) keeps what the build's many short-lived parquet batches freed:
# measured over a 3,000-row build, the main process grew by ~17 KB per row; with the C library's
# allocator it grows by a few hundred bytes. Arrow reads this once, when pyarrow first allocates,
# so it is set here, before anything of ours imports pyarrow; a value the user set is kept.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

__version__ = "0.2.0"  # the one place the version is written (pyproject.toml reads it)
