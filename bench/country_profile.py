"""Benchmark: country profile pages over HTTP (`pivgm serve`), with published history.

Every vendored source is loaded with `pivgm load-sources`, then the World Bank population is revised and
published again through review (so profiles read a dataflow with history, and the server sees publications
while it runs). Measured: the first view of each country of the region right after a publication whose job
computed the region's profiles (web/profile_store.py), the first view after a publication whose job did not
(as after an embargo ends, or in the seconds after a review step taken on the web, whose worker computes
them after answering: each page is computed by the worker asked first), then the same pages again in
rounds (kept on disk per publication state), in the language of the request.

Target (issues 15 and 18): p95 at most 100 ms, the first view after a publication included.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

from bench.data_api_scale import Server, percentile
from bench.report import write_section
from pivgm.accounts.actor import system_actor
from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.catalog.site import PublicSite
from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step

ROUNDS = 10
POPULATION = Mapping(
    columns={"REF_AREA": "Pais", "TIME_PERIOD": "Anio", "OBS_VALUE": "Poblacion"},
    constants={"FREQ": "A", "UNIT_MEASURE": "PS"},
)


def revise_population(platform: Platform, value: int = 10900000) -> None:
    """A national office's revision of one figure, through submission, review and publication."""
    text = f"Pais;Anio;Poblacion\nHND;2024;{value}\n".encode()
    outcome = submit(platform, SubmissionRequest("WB", "DF_POPULATION", "revision.csv", text, POPULATION))
    for action in ("submit", "approve-national", "approve-regional", "publish"):
        take_step(platform, system_actor("cli:bench"), outcome.submission.id, action)


def timed_pages(client: httpx.Client, paths: list[str], warmed: list[str] | None = None) -> list[float]:
    """Milliseconds per page; ``warmed`` collects the pages the publishing job had computed in advance."""
    timings = []
    for path in paths:
        started = time.perf_counter()
        answer = client.get(path)
        answer.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
        if warmed is not None and "stored:publication" in answer.headers.get("server-timing", ""):
            warmed.append(path)
    return timings


def published(platform: Platform, value: int) -> float:
    """Seconds the revision took to publish through review (with its job's profiles when they are on)."""
    started = time.perf_counter()
    revise_population(platform, value)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), warm_profiles=True)
        platform = Platform.initialise(settings)
        without_job = replace(platform, settings=settings.model_copy(update={"warm_profiles": False}))
        environment = {**os.environ, "PIVGM_DATA_DIR": folder, "PIVGM_WARM_PROFILES": "1"}
        started = time.perf_counter()
        command = [sys.executable, "-m", "pivgm", "load-sources"]
        subprocess.run(command, env=environment, check=True, capture_output=True)
        loaded = time.perf_counter() - started
        region, _ = PublicSite(Catalog(PublishedData(platform))).countries()
        codes = [c.id for c in region]
        paths = [f"/country/{code}" for code in codes]
        server = Server(Path(folder))
        try:
            with httpx.Client(base_url=server.base, timeout=120) as client:
                client.get("/country/MEX").raise_for_status()  # the worker's first page (templates, imports)
                plain = published(without_job, 10900001)
                time.sleep(1.5)  # the servers see the new release within a second
                lazy_kept: list[str] = []
                lazy = timed_pages(client, paths, lazy_kept)
                with_job = published(platform, 10900002)
                time.sleep(1.5)
                stored: list[str] = []
                first = timed_pages(client, paths, stored)
                again_paths = [f"/country/{code}?lang={lang}" for code in codes for lang in ("es", "en")]
                timed_pages(client, again_paths)  # each language once
                rounds = []
                for _ in range(ROUNDS):
                    random.shuffle(again_paths)
                    rounds += timed_pages(client, again_paths)
        finally:
            server.stop()
    z50, z95 = statistics.median(lazy), percentile(lazy, 95)
    f50, f95 = statistics.median(first), percentile(first, 95)
    a50, a95 = statistics.median(rounds), percentile(rounds, 95)
    lines = [
        "## Country profile pages (`/country/{code}`, `pivgm serve`, HTTP)",
        "",
        f"Every vendored source loaded (`pivgm load-sources`, {loaded:.0f} s with the region's profiles), then "
        "revisions of the World Bank population published through review, so the profiles read a dataflow with "
        f"history. The {len(codes)} countries of the region, sequential keep-alive requests to one worker, 1.5 s "
        "after each publication: after one whose job computed the region's profiles and kept them on disk "
        f"(`web/profile_store.py`; the publication took {with_job:.1f} s, {plain:.1f} s without them), and "
        "after one whose job did not, as after an embargo ends or a new software version, or in the seconds after "
        "a review step taken on the web, whose worker computes them once it has answered (each page computed by "
        f"the worker asked first, then kept); then both languages of every country in {ROUNDS} shuffled rounds "
        f"(kept on disk until the next publication). Load average at the end: {os.getloadavg()[0]:.1f} on a "
        "shared machine.",
        "",
        "| requests | pages | computed by the publishing job | p50 ms | p95 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| first view right after a publication | {len(first)} | {len(stored)} | {f50:.0f} | {f95:.0f} |",
        f"| first view of a state no job prepared | {len(lazy)} | {len(lazy_kept)} | {z50:.0f} | {z95:.0f} |",
        f"| again (kept) | {len(rounds)} | | {a50:.0f} | {a95:.0f} |",
        "",
        f"- the first view of each country right after a publication, p95 {f95:.0f} ms, target at most 100 ms: "
        f"**{'met' if f95 <= 100 else 'NOT met'}**",
        f"- p95 of pages kept {a95:.0f} ms, target at most 100 ms: **{'met' if a95 <= 100 else 'NOT met'}**",
        f"- a state reached without a publishing job: first views p95 {z95:.0f} ms (each page computed once, "
        "by the first worker asked; no target)",
    ]
    write_section("country-profile", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
