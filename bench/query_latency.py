"""Benchmark: latency of /api/data for a typical view through the whole HTTP stack, against the same query
run directly in DuckDB on the release file and written as the same JSON observations, in the same run.

Typical view (issue 2): one dataflow, 5 countries, all years, by sex. Targets (issue 18): p95 at most 20 ms
and at most 1.5 times the direct DuckDB p95.

The requests are made with the standard library's ``http.client`` on one keep-alive connection, asking for
gzip as browsers do and inflating the answer: the time is the server's and the network's. httpx, timed in
the same turns for reference, adds time of its own per request (0.3 to 1 ms measured here), the client's.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import httpx

from bench.report import write_section
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.sources import get_importer
from pivgm.workflow.loading import load_source

REQUESTS = 400
WARMUP = 20
COUNTRIES = ["USA", "CAN", "GTM", "BLZ", "ESP"]
PARAMS = {"REF_AREA": ",".join(COUNTRIES), "COUNTERPART_AREA": "MEX"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_until_up(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


def time_interleaved(calls: dict[str, Callable[[], object]], n: int) -> dict[str, list[float]]:
    """Milliseconds of ``n`` runs of each call, taken in turns, so that both paths meet the same load of a
    shared machine (one after the other, a change of load between them moved the ratio by half)."""
    for _ in range(WARMUP):
        for call in calls.values():
            call()
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(n):
        for name, call in calls.items():
            t0 = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - t0) * 1000)
    return timings


def fetch(connection: http.client.HTTPConnection, path: str) -> bytes:
    """One GET on a keep-alive connection: the answer's body, inflated when compressed."""
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    answer = connection.getresponse()
    body = answer.read()
    if answer.status != 200:
        raise SystemExit(f"GET {path}: {answer.status} {body[:200]!r}")
    return gzip.decompress(body) if answer.getheader("Content-Encoding") == "gzip" else body


def same_json(relation: duckdb.DuckDBPyRelation) -> bytes:
    rows = relation.to_arrow_table().to_pylist()
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        platform = Platform.initialise(Settings(data_dir=data_dir))
        result = load_source(get_importer("undesa_stock"), platform.standard, platform.records, platform.warehouse)
        release_file = str(platform.warehouse.path(result.release.parquet_file))
        port = free_port()
        env = {**os.environ, "PIVGM_DATA_DIR": str(data_dir)}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "pivgm.web.app:create_app_from_environment",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        connection = duckdb.connect()
        sql = (
            "SELECT * EXCLUDE (TIME_PERIOD_START) FROM read_parquet(?) "
            "WHERE list_contains(?, REF_AREA) AND COUNTERPART_AREA = 'MEX' "
            "ORDER BY FREQ, REF_AREA, COUNTERPART_AREA, SEX, TIME_PERIOD_START"
        )
        direct_rows = len(connection.execute(sql, [release_file, COUNTRIES]).fetchall())
        load_before = os.getloadavg()[0]
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/api/dataflows", time.monotonic() + 60)
            path = f"/api/data/DF_MIG_STOCK?{urlencode(PARAMS)}"
            plain = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with closing(plain), httpx.Client(base_url=base) as client:
                rows = len(json.loads(fetch(plain, path))["observations"])
                timings = time_interleaved(
                    {
                        "http": lambda: fetch(plain, path),
                        "httpx": lambda: client.get("/api/data/DF_MIG_STOCK", params=PARAMS).raise_for_status(),
                        "direct": lambda: same_json(connection.sql(sql, params=[release_file, COUNTRIES])),
                    },
                    REQUESTS,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert rows == direct_rows, (rows, direct_rows)
    served, direct, through_httpx = timings["http"], timings["direct"], timings["httpx"]
    p50, p95 = statistics.median(served), percentile(served, 95)
    x50, x95 = statistics.median(through_httpx), percentile(through_httpx, 95)
    d50, d95 = statistics.median(direct), percentile(direct, 95)
    ratio = p95 / d95
    lines = [
        "## Data API latency (`/api/data/DF_MIG_STOCK`, 5 countries, all years, by sex)",
        "",
        f"{REQUESTS} sequential requests over keep-alive HTTP to a uvicorn worker on loopback, {rows} "
        "observations each, taken in turns with the same query in DuckDB on the release Parquet file written as "
        "the same JSON observations (so both meet the same load). The client is the standard library's "
        "`http.client` (gzip asked for and inflated), so that the time is the server's; the same requests made "
        "with httpx, in the same turns, are shown for reference (the difference is httpx's own). Load average "
        f"{load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end, on a shared machine of "
        f"{os.cpu_count()} cores: the times are the machine's, the ratio is the server's.",
        "",
        "| path | p50 ms | p95 ms |",
        "| --- | ---: | ---: |",
        f"| HTTP API (JSON) | {p50:.2f} | {p95:.2f} |",
        f"| HTTP API (JSON), requested with httpx (reference) | {x50:.2f} | {x95:.2f} |",
        f"| DuckDB on the release file, same JSON (baseline) | {d50:.2f} | {d95:.2f} |",
        "",
        f"- p95 {p95:.1f} ms, target at most 20 ms: **{'met' if p95 <= 20 else 'NOT met'}**",
        f"- ratio of p95s {ratio:.2f}, target at most 1.5: **{'met' if ratio <= 1.5 else 'NOT met'}**",
    ]
    write_section("query-latency", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
