"""Write a benchmark's results into its own section of docs/benchmarks.md (other sections are kept)."""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Measured by the scripts in `bench/` (`scripts/bench` runs them all) on the machine named in each section.
Targets are ratios or bounds from the issues; each section is rewritten when its benchmark runs.
"""


def machine() -> str:
    """The machine and how busy it was when the section was written (other work slows every timing)."""
    load = os.getloadavg()[0]
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f}"


def write_section(name: str, body: str) -> None:
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else HEADER
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"{start}\n{body.strip()}\n\n_Run {stamp} on {machine()}._\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
