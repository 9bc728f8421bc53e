"""The installed ``pivgm`` command, run as a user runs it: a real process configured by environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pivgm.settings import Settings
from tests.backends import environment_for

# The console script pip installed next to the interpreter that runs the tests (the one users type).
EXECUTABLE = Path(sys.executable).parent / "pivgm"


def run_pivgm(
    settings: Settings,
    *arguments: str,
    stdin: str | None = None,
    columns: int = 200,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``pivgm ARGUMENTS`` on ``settings``' data directory and records; never raises on a failed exit."""
    assert EXECUTABLE.exists(), f"{EXECUTABLE} is missing: install the package (scripts/setup)"
    return subprocess.run(
        [str(EXECUTABLE), *arguments],
        input=stdin,
        env={**environment_for(settings), "COLUMNS": str(columns), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
