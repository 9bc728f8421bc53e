"""After a crash: submissions whose load was killed are marked ``failed``, and files no record points to are
deleted, never while a load is running (``warehouse.locks``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pivgm.platform import Platform
from pivgm.warehouse.locks import no_load_running


@dataclass(frozen=True)
class CleanUp:
    failed_submissions: list[int]
    removed_files: list[Path]


def recover_interrupted_loads(platform: Platform, wait: bool = False) -> list[int]:
    """Mark as ``failed`` the submissions whose load was killed before its commit (they stay ``loading``);
    nothing is done while a load is running unless ``wait``. Returns the ids marked."""
    with no_load_running(platform.settings.data_dir, wait=wait) as idle:
        return platform.submissions.fail_loads() if idle else []


def clean_up(platform: Platform) -> CleanUp:
    """``pivgm gc``: wait until no load runs, then mark interrupted loads failed and delete unreferenced files
    (a running load's new file has no record yet, so it must not be collected meanwhile)."""
    with no_load_running(platform.settings.data_dir, wait=True):
        failed = platform.submissions.fail_loads()
        removed = platform.warehouse.collect_garbage(platform.records.referenced_files())
    return CleanUp(failed, removed)
