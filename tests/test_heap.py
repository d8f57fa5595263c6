import pytest
from heapprobe import child_env, freed_kb, run_child

from vivid_data import heap

glibc_only = pytest.mark.skipif(heap._LIBC is None, reason="glibc's mallopt and malloc_trim are not available")


@glibc_only
def test_freed_blocks_leave_the_process_only_with_the_tuned_allocator():
    assert freed_kb() < 8 * 1024  # glibc's defaults keep the 48 MB resident
    # mapped one by one, each MB is unmapped when freed
    assert freed_kb("from vivid_data import heap\nheap.return_large_blocks_promptly()") > 40 * 1024


@glibc_only
def test_allocator_settings_a_user_made_are_kept():
    code = "from vivid_data import heap; print(sorted(heap.return_large_blocks_promptly()))"
    assert run_child(code) == "['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_']"
    kept_arenas = run_child(code, env=child_env(MALLOC_ARENA_MAX="4"))
    assert kept_arenas == "['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_']"


def test_the_build_uses_a_memory_pool_that_gives_memory_back():
    code = "from vivid_data.heap import use_returning_memory_pool as u; print(u())"
    assert run_child(code) == "system"
    assert run_child(code, env=child_env(ARROW_DEFAULT_MEMORY_POOL="jemalloc")) == "jemalloc"  # a user's choice


@glibc_only
def test_trimming_returns_freed_heap_pages():
    assert freed_kb("from vivid_data import heap", after="heap.give_back_freed_memory()") > 40 * 1024
