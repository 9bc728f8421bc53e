"""Hostile uploads over HTTP against a live server: a CSV of 10^6 columns and a CSV just under the upload size
limit (about 200 MB) are uploaded while another client reads published data from the same worker. The reader
never waits much longer than when the server is idle, each upload ends in a clear answer, and the child process
that checked the large file stayed under the memory limit and a small multiple of the file's size."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from pivgm.sources import all_importers
from pivgm.workflow.loading import load_source
from tests.backends import settings_for
from tests.live import serving
from tests.people import person
from tests.web.big_files import MAPPING, returns_file, upload, wide_file

READ = "/api/data/DF_IRREGULAR_TRANSIT?limit=200"
SAMPLES = 60  # reader requests timed in each phase (p95 over 60: the 3rd slowest, not one outlier)
UPLOAD_MB = 200  # the default PIVGM_MAX_UPLOAD_MB
MEMORY_MB = 3072  # the default PIVGM_UPLOAD_MEMORY_MB
MEMORY_MULTIPLE = 6.5  # peak resident memory of the job per byte of file, loading included (docs/security.md)
pytestmark = [pytest.mark.slow, pytest.mark.alone]  # a latency ratio: measured with no other test running


@dataclass
class Reader:
    """A client reading published data in a loop; each request's start, latency and status."""

    base: str
    timings: list[tuple[float, float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self.stop.is_set():
                started = time.monotonic()
                status = client.get(READ).status_code
                self.timings.append((started, time.monotonic() - started, status))

    def latencies(self, start: float, end: float) -> list[float]:
        return [seconds for began, seconds, _ in self.timings if start <= began < end]

    def wait_for(self, count: int, since: float) -> None:
        while len(self.latencies(since, float("inf"))) < count:
            time.sleep(0.02)


def p95(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=20)[-1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    platform = Platform.initialise(settings_for(tmp_path_factory.mktemp("hostile")))
    load_source(all_importers()["honduras_inm"], platform.standard, platform.records, platform.warehouse)
    submitter = person(platform, "mx.submitter", (Role.NATIONAL_SUBMITTER, "MX_UPM"))
    with serving(platform.settings) as base:
        yield base, submitter.headers


def test_uploads_of_a_million_columns_and_of_200_mb_leave_a_reader_under_twice_its_idle_p95(server, tmp_path):
    """The idle p95 is the larger of the reader's p95 before and after the uploads (the test runs on shared
    machines, whose other load changes). The large file is valid and loaded (the heaviest path: read, map,
    validate, merge, write). It is kept just under the default 200 MB limit, as the issue asks: checking and
    loading it took 15 s in one process on a quiet 2-core machine; over HTTP under a load average of 20, 150
    to 180 s (the whole test: about 4 minutes there). Seen red with ``run_limited`` called on the event loop
    in ``create_submission`` (the large file left out of that run): p95 while the wide file was refused was 18
    times the idle p95. With the copy of an all-kept table in ``ValidationOutcome._kept`` put back, the job's
    peak was 1,372 MiB, 7.2 times the file: over the bound."""
    base, headers = server
    big = tmp_path / "devoluciones.csv"
    rows = returns_file(big, UPLOAD_MB * 1_000_000 - 500_000)
    size_mb = big.stat().st_size / 2**20  # MB as the memory is counted (MiB)
    wide = wide_file()
    reader = Reader(base)
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    try:
        idle_start = time.monotonic()
        reader.wait_for(SAMPLES, idle_start)
        idle = reader.latencies(idle_start, time.monotonic())
        wide_start, wide_answers = time.monotonic(), []
        while len(reader.latencies(wide_start, time.monotonic())) < SAMPLES:  # each is refused within seconds
            wide_answers.append(upload(base, headers, "ancho.csv", wide))
        wide_end = time.monotonic()
        big_start = time.monotonic()
        big_answer = upload(base, headers, "devoluciones.csv", big, mapping=MAPPING)
        big_end = time.monotonic()
        reader.wait_for(SAMPLES, big_end)  # idle again: the machine's other load may have changed meanwhile
        after = reader.latencies(big_end, time.monotonic())
    finally:
        reader.stop.set()
        thread.join(timeout=60)
    during_wide, during_big = reader.latencies(wide_start, wide_end), reader.latencies(big_start, big_end)
    idle_p95 = max(p95(idle), p95(after))
    print(
        f"\nidle p95 {p95(idle) * 1000:.1f} ms before, {p95(after) * 1000:.1f} ms after; "
        f"10^6 columns x{len(wide_answers)}: "
        f"p95 {p95(during_wide) * 1000:.1f} ms over {len(during_wide)} ({p95(during_wide) / idle_p95:.2f}x); "
        f"{size_mb:.1f} MB, {rows:,} rows in {big_end - big_start:.1f} s: p95 {p95(during_big) * 1000:.1f} ms "
        f"over {len(during_big)} ({p95(during_big) / idle_p95:.2f}x); "
        f"peak {big_answer.json().get('processing')}"
    )
    assert {status for _, _, status in reader.timings} == {200}
    for answer in wide_answers:
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"]["code"] == "too-many-columns"
    assert big_answer.status_code == 201, big_answer.text[:2000]
    body = big_answer.json()
    assert body["status"] == "draft" and body["report"]["valid"] and body["report"]["rows"] == rows
    peak = body["processing"]["peak_memory_mb"]
    assert peak < MEMORY_MB
    assert peak < MEMORY_MULTIPLE * size_mb
    assert len(during_wide) >= SAMPLES and len(during_big) >= SAMPLES
    assert p95(during_wide) < 2 * idle_p95
    assert p95(during_big) < 2 * idle_p95
