"""Who is loading into the data directory, told by file locks the kernel releases when a process dies.

Every load holds a shared lock on ``loads.lock`` from before it records anything until its last commit, so
an exclusive lock on the same file is only granted while no load is running in any process, killed ones
included (a SIGKILLed process holds no lock). ``pivgm gc`` and the start of a server take it to tell an
interrupted load from one in progress. ``flock`` works across the processes of one machine and on shared
mounts that support it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "loads.lock"


def _open(data_dir: Path) -> int:
    data_dir.mkdir(parents=True, exist_ok=True)
    return os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)


@contextmanager
def loading(data_dir: Path) -> Iterator[None]:
    """Held by a load while it runs (shared: any number of loads at once)."""
    descriptor = _open(data_dir)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)


@contextmanager
def no_load_running(data_dir: Path, wait: bool = False) -> Iterator[bool]:
    """Yields True while no load runs (none can start until the block ends); False at once if one runs
    and ``wait`` is false."""
    descriptor = _open(data_dir)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)
