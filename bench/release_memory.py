"""Benchmark: a web worker's memory across publications to a 1-million-observation dataflow.

The synthetic DF_IRREGULAR_TRANSIT data of ``bench.data_api_scale`` (about 1 M observations) is published,
then corrected ``--publications - 1`` times (two observations change each time, each a new release), all
through the real loading path, while `pivgm serve` (one worker) answers the current data, the dataflow list
and an ``asOf`` read of the first release after each publication. Measured: the worker's resident memory
after each round, against the same after the first publication.

Target (issue 18): after 20 publications at most 1.2 times the memory after the first.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.compute as pc

from bench.data_api_scale import FLOW, SMALL, Server, Synthetic, synthetic_table, tree_rss_mib
from bench.report import write_section
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.workflow.loading import load_source


class Corrected(Synthetic):
    """The synthetic data with two observations changed by ``round``."""

    base: pa.Table
    round = 0

    def read(self, directory: Path = Path()) -> pa.Table:
        values = self.base.column("OBS_VALUE")
        changed = pc.if_else(pc.less(pa.array(range(len(values))), 2), pc.add(values, float(self.round)), values)
        return self.base.set_column(self.base.schema.get_field_index("OBS_VALUE"), "OBS_VALUE", changed)


def ask(base: str, first_published: str) -> None:
    """What users ask after a publication: current data, the dataflow list, and data as first published."""
    with httpx.Client(base_url=base, timeout=120) as client:
        client.get(f"/api/data/{FLOW}", params=SMALL).raise_for_status()
        client.get("/api/dataflows").raise_for_status()
        client.get(f"/api/data/{FLOW}", params={**SMALL, "asOf": first_published}).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--publications", type=int, default=20)
    parser.add_argument("--rows", type=int, default=1_000_000)
    arguments = parser.parse_args()
    Corrected.base = synthetic_table(arguments.rows)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        platform = Platform.initialise(Settings(data_dir=data_dir))
        importer = Corrected()
        result = load_source(importer, platform.standard, platform.records, platform.warehouse)
        first_published = result.release.published_at.isoformat()
        rows = result.release.row_count
        server = Server(data_dir)
        try:
            ask(server.base, first_published)
            memory = [tree_rss_mib(server.process.pid)]
            started = time.perf_counter()
            for round_ in range(1, arguments.publications):
                importer.round = round_
                load_source(importer, platform.standard, platform.records, platform.warehouse)
                time.sleep(1.1)  # workers re-read the releases in force at most once a second
                ask(server.base, first_published)
                memory.append(tree_rss_mib(server.process.pid))
            seconds = time.perf_counter() - started
        finally:
            server.stop()
    ratio = memory[-1] / memory[0]
    lines = [
        f"## Worker memory across {arguments.publications} publications to a {rows / 1e6:.1f} M-observation dataflow",
        "",
        f"Synthetic {FLOW} release of {rows:,} observations, corrected {arguments.publications - 1} times (two "
        f"observations each, a new release each; {seconds:.0f} s) while `pivgm serve` (one worker) answers the "
        "current data, the dataflow list and an `asOf` read of the first release after each publication. "
        f"Load average at the end: {os.getloadavg()[0]:.1f} on a shared machine.",
        "",
        "| after publication | worker resident memory, MiB |",
        "| ---: | ---: |",
        *(f"| {i + 1} | {m:.0f} |" for i, m in enumerate(memory) if i in {0, 1, 4, 9, len(memory) - 1}),
        "",
        f"- after the last / after the first: {ratio:.2f}, target at most 1.2: "
        f"**{'met' if ratio <= 1.2 else 'NOT met'}**",
    ]
    if arguments.publications == parser.get_default("publications"):
        write_section("release-memory", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
