"""Benchmark: how long the `pivgm` command takes to start, as whole processes, against `python -c pass`.

Each command runs ``RUNS`` times, interleaved with the baseline, on an initialised data folder with two
small vendored sources published (so `pivgm flows` lists releases, as after `pivgm load-sources`); wall
time and processor time (user + system, of the child) are medians. Targets (issue 18: "well under a second"):
`pivgm --help` and `pivgm flows` each at most 0.5 s more than `python -c pass`.
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
SOURCES = ("panama_darien", "worldbank_population")
BASELINE = "`python -c pass` (baseline)"
TARGETS = {"`pivgm --help`": 0.5, "`pivgm flows`": 0.5}  # seconds above the baseline


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
        only = [argument for source in SOURCES for argument in ("--only", source)]
        subprocess.run([str(EXECUTABLE), "load-sources", *only], env=environment, stdout=subprocess.DEVNULL, check=True)
        # the first listing after a publication reads the new releases' periods with DuckDB and keeps them
        subprocess.run([str(EXECUTABLE), "flows"], env=environment, stdout=subprocess.DEVNULL, check=True)
        commands = {
            BASELINE: [sys.executable, "-c", "pass"],
            "`pivgm --help`": [str(EXECUTABLE), "--help"],
            "`pivgm validate --help`": [str(EXECUTABLE), "validate", "--help"],
            "`pivgm flows`": [str(EXECUTABLE), "flows"],
            "`pivgm users list`": [str(EXECUTABLE), "users", "list"],
        }
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(RUNS):
            for name, command in commands.items():
                timings[name].append(run(command, environment))
    medians = {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for name, t in timings.items()
    }
    base_wall, base_cpu = medians[BASELINE]
    lines = [
        "## Start-up of the `pivgm` command (whole processes)",
        "",
        f"Medians of {RUNS} runs each, interleaved, on an initialised data folder with {' and '.join(SOURCES)} "
        "published, after one `pivgm flows` (the first listing after a publication also reads the new releases' "
        f"periods with DuckDB, and keeps them). Load average at the end: {os.getloadavg()[0]:.1f} on a shared "
        "machine.",
        "",
        "| command | wall s | processor s | wall above the baseline, s |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {name} | {w:.2f} | {c:.2f} | {w - base_wall:+.2f} |" for name, (w, c) in medians.items()),
        "",
    ]
    for name, target in TARGETS.items():
        wall, cpu = medians[name][0] - base_wall, medians[name][1] - base_cpu
        lines.append(
            f"- {name} {wall:.2f} s wall and {cpu:.2f} s of processor above `python -c pass`, target at most "
            f"{target} s: **{'met' if wall <= target else 'NOT met'}** in wall time, "
            f"**{'met' if cpu <= target else 'NOT met'}** in processor time (on a busy machine wall time also "
            "measures the wait for a processor)"
        )
    write_section("startup", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
