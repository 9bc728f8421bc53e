"""Benchmark: how long the `pivgm` command takes to start, as whole processes, against `python -c pass`.

Each command runs ``RUNS`` times, interleaved with the baseline, on an initialised data folder; wall time
and processor time (user + system, of the child) are medians. Target (issue 18): `pivgm --help` at most
0.5 s more than `python -c pass`.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import write_section

RUNS = 9
EXECUTABLE = Path(sys.executable).parent / "pivgm"


def run(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall and processor seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "PIVGM_DATA_DIR": folder, "COLUMNS": "200"}
        subprocess.run([str(EXECUTABLE), "init"], env=environment, stdout=subprocess.DEVNULL, check=True)
        commands = {
            "`python -c pass` (baseline)": [sys.executable, "-c", "pass"],
            "`pivgm --help`": [str(EXECUTABLE), "--help"],
            "`pivgm flows`": [str(EXECUTABLE), "flows"],
        }
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(RUNS):
            for name, command in commands.items():
                timings[name].append(run(command, environment))
    medians = {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for name, t in timings.items()
    }
    base_wall = medians["`python -c pass` (baseline)"][0]
    lines = [
        "## Start-up of the `pivgm` command (whole processes)",
        "",
        f"Medians of {RUNS} runs each, interleaved, on an initialised data folder. Load average at the end: "
        f"{os.getloadavg()[0]:.1f} on a shared machine.",
        "",
        "| command | wall s | processor s | wall above the baseline, s |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {name} | {w:.2f} | {c:.2f} | {w - base_wall:+.2f} |" for name, (w, c) in medians.items()),
        "",
    ]
    help_wall = medians["`pivgm --help`"][0] - base_wall
    help_cpu = medians["`pivgm --help`"][1] - medians["`python -c pass` (baseline)"][1]
    lines.append(
        f"- `pivgm --help` {help_wall:.2f} s wall and {help_cpu:.2f} s of processor above `python -c pass`, "
        f"target at most 0.5 s: **{'met' if help_wall <= 0.5 else 'NOT met'}** in wall time, "
        f"**{'met' if help_cpu <= 0.5 else 'NOT met'}** in processor time (on a busy machine wall time also "
        "measures the wait for a processor)"
    )
    write_section("startup", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
