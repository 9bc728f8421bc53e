"""Each release's first and last period, kept on disk so that listing the dataflows needs no query engine.

A release file is immutable and named by the SHA-256 of its content, so a period range kept under the file's
name can never be stale. The ranges live in one small JSON file, rewritten whole under a temporary name and
renamed into place; a file that is missing or cannot be read only means the ranges are computed again, and a
range two processes add at once may be lost the same way, never wrong.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import uuid
from pathlib import Path

PERIODS_FILE = "release-periods.json"

Range = tuple[str, str] | None
"""A release's first and last period (``TIME_PERIOD``), or None for a release without observations."""


class KeptPeriods:
    """The period ranges of release files, kept in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / PERIODS_FILE
        self._ranges: dict[str, Range] | None = None
        self._lock = threading.Lock()

    def get(self, release_file: Path) -> tuple[bool, Range]:
        """Whether a range is kept for ``release_file``, and the range (one look: another process may rewrite
        the file between two)."""
        with self._lock:
            ranges = self._read()
            return release_file.name in ranges, ranges.get(release_file.name)

    def put(self, release_file: Path, period_range: Range) -> None:
        """Keep ``period_range`` for ``release_file``; a folder that cannot be written keeps nothing."""
        with self._lock:
            self._ranges = None  # what other processes kept meanwhile, too
            ranges = self._read()
            ranges[release_file.name] = period_range
            temporary = self.path.with_name(f".tmp-{uuid.uuid4().hex}.json")
            try:
                self.path.parent.mkdir(exist_ok=True)
                with open(temporary, "x", encoding="utf-8") as f:
                    json.dump({name: list(r) if r else None for name, r in ranges.items()}, f)
                os.replace(temporary, self.path)
            except OSError:
                with contextlib.suppress(OSError):
                    temporary.unlink(missing_ok=True)

    def _read(self) -> dict[str, Range]:
        if self._ranges is None:
            self._ranges = {}
            try:
                with open(self.path, encoding="utf-8") as f:
                    raw = json.load(f)
                self._ranges = {
                    str(name): (str(r[0]), str(r[1])) if r else None
                    for name, r in raw.items()
                    if r is None or (isinstance(r, list) and len(r) == 2)
                }
            except (OSError, ValueError, AttributeError, TypeError):  # missing or damaged: computed again
                pass
        return self._ranges
