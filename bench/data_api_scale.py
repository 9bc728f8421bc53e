"""Benchmark: the data API on a 10-million-observation dataflow, as users run it: `pivgm serve` over HTTP.

A synthetic DF_IRREGULAR_TRANSIT release made from the real codelists (11 reporting countries x N
citizenships x 3 sexes x 4 age groups x 3 accompaniments x 228 months) is loaded once through the real
loading path and kept in the system's temporary folder for later runs (``--rows`` picks its size; a smaller
one is for iterating). Measured, each beside its baseline in the same run:

- a ~2,000-observation answer over HTTP, against DuckDB on the release file producing the same JSON;
- that small query while another client pulls 100,000-observation answers, against the small query alone, timed
  in turns (blocks of each), so that a change of the machine's load meets both;
- the memory of `pivgm serve --workers 4` (supervisor included) against `--workers 1`, proportional set
  size (PSS: shared pages split between the processes that share them), resident size beside it.

Targets (issue 18): p95 <= 100 ms and <= 1.5x; <= 2x under load; total memory <= 2x.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import ClassVar

import duckdb
import httpx
import pyarrow as pa

from bench.report import write_section
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.sources.base import SourceImporter
from pivgm.structures import load_standard
from pivgm.workflow.loading import load_source

FLOW = "DF_IRREGULAR_TRANSIT"
PER_CITIZENSHIP = 11 * 3 * 4 * 3 * 228
SMALL = {"REF_AREA": "MEX", "SEX": "_T", "ACCOMPANIMENT": "_T,ACC"}  # + one citizenship: 1,824 observations
LARGE_PAGE = 100_000
REQUESTS = 200
WARMUP = 20
BLOCKS = 10
"""The small query under load is timed in blocks, in turns with blocks of it alone (no large answer under way)."""


def synthetic_table(rows: int) -> pa.Table:
    """Every combination of real codes, with as many citizenships as make about ``rows`` observations."""
    standard = load_standard()
    areas = standard.codelist("CL_AREA")
    reporters = list(next(c for c in areas.codes if c.id == "RCM").members)
    countries = [c.id for c in areas.codes if len(c.id) == 3 and not c.members]
    citizenships = countries[: max(1, min(len(countries), round(rows / PER_CITIZENSHIP)))]
    months = [f"{2006 + i // 12}-{i % 12 + 1:02d}" for i in range(228)]
    connection = duckdb.connect()
    for name, values in {
        "r": reporters,
        "c": citizenships,
        "s": ["F", "M", "_T"],
        "a": ["_T", "Y_LT18", "Y_GE18", "Y_LT12"],
        "p": ["_T", "ACC", "UNA"],
        "t": months,
    }.items():
        connection.execute(f"CREATE TABLE {name} AS SELECT unnest(?) AS v", [values])
    return connection.sql(
        "SELECT 'M' AS FREQ, r.v AS REF_AREA, c.v AS CITIZENSHIP, s.v AS SEX, a.v AS AGE, p.v AS ACCOMPANIMENT, "
        "t.v AS TIME_PERIOD, CAST(hash(r.v, c.v, s.v, a.v, p.v, t.v) % 5000 AS DOUBLE) AS OBS_VALUE, "
        "'PS' AS UNIT_MEASURE FROM r, c, s, a, p, t"
    ).to_arrow_table()


class Synthetic(SourceImporter):
    """Benchmark data, never loaded outside this script."""

    id: ClassVar[str] = "benchmark_synthetic"
    dataflow_id: ClassVar[str] = FLOW
    provider_id: ClassVar[str] = "BENCHMARK"
    provider_name: ClassVar[dict[str, str]] = {"es": "Datos sintéticos", "en": "Synthetic data"}
    files: ClassVar[tuple[str, ...]] = ()
    rows: ClassVar[int] = 1_000_000

    def read(self, directory: Path = Path()) -> pa.Table:
        return synthetic_table(self.rows)


def prepared(rows: int) -> tuple[Path, Path]:
    """The data folder with the synthetic release loaded (made once per size), and the release file."""
    data_dir = Path(tempfile.gettempdir()) / f"pivgm-bench-data-api-{rows}"
    platform = Platform.initialise(Settings(data_dir=data_dir))
    release = platform.records.published_releases().get(FLOW)
    if release is None:
        started = time.perf_counter()
        importer = type("Sized", (Synthetic,), {"rows": rows})()
        release = load_source(importer, platform.standard, platform.records, platform.warehouse).release
        print(f"loaded {release.row_count:,} observations in {time.perf_counter() - started:.0f} s")
    return data_dir, platform.warehouse.path(release.parquet_file)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(call, n: int = REQUESTS, warmup: int = WARMUP) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def tree_memory_mib(pid: int) -> tuple[float, float]:
    """Resident (RSS) and proportional (PSS) memory of a process and all its descendants. RSS counts a page
    shared by several processes (the interpreter, DuckDB's and Arrow's libraries, copy-on-write pages) once in
    each of them; PSS splits it between them, so the PSS of a process tree adds up to what it really takes."""
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    name, _, value = line.partition(":")
                    if name == "Rss":
                        rss += int(value.split()[0])
                    elif name == "Pss":
                        pss += int(value.split()[0])
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                pending += [int(child) for child in children.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return rss / 1024, pss / 1024


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    return tree_memory_mib(pid)[0]


class Server:
    """`pivgm serve` on a free port, as users run it."""

    def __init__(self, data_dir: Path, workers: int = 1) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        environment = {**os.environ, "PIVGM_DATA_DIR": str(data_dir), "PIVGM_API_MAX_PAGE": str(LARGE_PAGE)}
        command = [sys.executable, "-m", "pivgm", "serve", "--port", str(self.port), "--workers", str(workers)]
        self.process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/dataflows", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def direct_json(release_file: Path, params: dict[str, list[str]], columns: list[str]) -> bytes:
    """The same selection by DuckDB on the release file, written as the same JSON observations."""
    where = " AND ".join(f"list_contains(?, {name})" for name in params)
    keys = "FREQ, REF_AREA, CITIZENSHIP, SEX, AGE, ACCOMPANIMENT, TIME_PERIOD_START"
    sql = f"SELECT {', '.join(columns)} FROM read_parquet(?) WHERE {where} ORDER BY {keys} LIMIT 10000"
    table = duckdb.sql(sql, params=[str(release_file), *params.values()]).to_arrow_table()
    return json.dumps(table.to_pylist(), ensure_ascii=False, separators=(",", ":")).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000, help="observations of the synthetic release")
    rows = parser.parse_args().rows
    data_dir, release_file = prepared(rows)
    citizenship = duckdb.sql(f"SELECT min(CITIZENSHIP) FROM read_parquet('{release_file}')").fetchall()[0][0]
    small = {**SMALL, "CITIZENSHIP": citizenship}
    server = Server(data_dir)
    try:
        with httpx.Client(base_url=server.base, timeout=120) as client:
            body = client.get(f"/api/data/{FLOW}", params=small).json()
            answer_rows, total = body["count"], body["release"]["observations"]
            http = timed(lambda: client.get(f"/api/data/{FLOW}", params=small).raise_for_status())
            lists = {name: value.split(",") for name, value in small.items()}
            direct = timed(lambda: direct_json(release_file, lists, body["columns"]))
            stop, pulling, idle = threading.Event(), threading.Event(), threading.Event()
            large_answers = [0]

            def pull_large() -> None:
                """Pull large answers back to back while ``pulling`` is set; ``idle``: none is under way."""
                with httpx.Client(base_url=server.base, timeout=300) as other:
                    while not stop.is_set():
                        if not pulling.is_set():
                            idle.set()
                            pulling.wait(0.1)
                            continue
                        idle.clear()
                        params = {"REF_AREA": "MEX", "limit": str(LARGE_PAGE)}
                        with other.stream("GET", f"/api/data/{FLOW}", params=params) as response:
                            for _ in response.iter_bytes():
                                pass
                        large_answers[0] += 1

            def small_query() -> None:
                client.get(f"/api/data/{FLOW}", params=small).raise_for_status()

            puller = threading.Thread(target=pull_large, daemon=True)
            puller.start()
            alone: list[float] = []
            loaded: list[float] = []
            for _ in range(BLOCKS):  # in turns, so that a change of the machine's load meets both
                pulling.clear()
                idle.wait()  # no large answer under way
                alone += timed(small_query, REQUESTS // BLOCKS, warmup=2)
                pulling.set()
                time.sleep(0.3)  # the first large answer under way
                loaded += timed(small_query, REQUESTS // BLOCKS, warmup=2)
            stop.set()
            pulling.set()
            puller.join()
        one_worker, _ = tree_memory_mib(server.process.pid)
    finally:
        server.stop()
    memory: dict[int, tuple[float, float]] = {}
    for workers in (1, 4):
        server = Server(data_dir, workers)
        try:
            for _ in range(8 * workers):  # new connections spread over the workers
                httpx.get(f"{server.base}/api/data/{FLOW}", params={"REF_AREA": "MEX", "limit": "10000"}, timeout=120)
            time.sleep(1)
            memory[workers] = tree_memory_mib(server.process.pid)
        finally:
            server.stop()
    p50, p95, d50, d95 = (
        statistics.median(http),
        percentile(http, 95),
        statistics.median(direct),
        percentile(direct, 95),
    )
    l50, l95 = statistics.median(loaded), percentile(loaded, 95)
    a50, a95 = statistics.median(alone), percentile(alone, 95)
    pss_ratio = memory[4][1] / memory[1][1]
    load_average = os.getloadavg()[0]
    lines = [
        f"## Data API on a {total / 1e6:.1f}-million-observation dataflow (`pivgm serve`, HTTP)",
        "",
        f"Synthetic {FLOW} release of {total:,} observations from the real codelists; the answer is "
        f"{answer_rows:,} observations (one reporting country and citizenship, two accompaniments); "
        f"{REQUESTS} sequential keep-alive requests after {WARMUP} of warm-up. Load average at the end: "
        f"{load_average:.1f} on a shared machine.",
        "",
        "| path | p50 ms | p95 ms |",
        "| --- | ---: | ---: |",
        f"| HTTP API (JSON) | {p50:.1f} | {p95:.1f} |",
        f"| DuckDB on the release file, same JSON (baseline) | {d50:.1f} | {d95:.1f} |",
        f"| HTTP API alone, in turns with the blocks below ({BLOCKS} blocks) | {a50:.1f} | {a95:.1f} |",
        f"| HTTP API while another client pulls {LARGE_PAGE:,}-observation answers "
        f"({large_answers[0]} pulled) | {l50:.1f} | {l95:.1f} |",
        "",
        "Memory of every process of the server: resident (RSS) counts the pages the processes share (the "
        "interpreter, DuckDB's and Arrow's libraries, the page cache of the release file) once per process; "
        "proportional (PSS) splits each shared page between the processes sharing it, so it adds up to what "
        "the server takes. The target is read on PSS.",
        "",
        "| server | RSS, MiB | PSS, MiB |",
        "| --- | ---: | ---: |",
        f"| `pivgm serve --workers 1` after the latency runs | {one_worker:.0f} | |",
        f"| `pivgm serve --workers 1`, fresh | {memory[1][0]:.0f} | {memory[1][1]:.0f} |",
        f"| `pivgm serve --workers 4` (supervisor included), fresh | {memory[4][0]:.0f} | {memory[4][1]:.0f} |",
        "",
        f"- p95 {p95:.1f} ms, target <= 100 ms: **{'met' if p95 <= 100 else 'NOT met'}**; "
        f"ratio to DuckDB {p95 / d95:.2f}, target <= 1.5: **{'met' if p95 / d95 <= 1.5 else 'NOT met'}**",
        f"- the small query under load, p95 ratio to it alone in turns {l95 / a95:.2f}, target <= 2: "
        f"**{'met' if l95 / a95 <= 2 else 'NOT met'}**",
        f"- 4 workers / 1 worker memory (PSS) {pss_ratio:.2f}, target <= 2: "
        f"**{'met' if pss_ratio <= 2 else 'NOT met'}**"
        f" (RSS, counting shared pages once per process: {memory[4][0] / memory[1][0]:.2f})",
    ]
    if rows == parser.get_default("rows"):  # smaller runs are for iterating, not for the report
        write_section("data-api-scale", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
