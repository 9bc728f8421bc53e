"""Benchmark: `pivgm load-sources` of every vendored source into an empty data directory.

Target (issue 2): under 30 s wall time on 2 cores. Reports rows/s per source and overall.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.report import write_section
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.sources import all_importers
from pivgm.workflow.loading import load_source

TARGET_SECONDS = 30.0


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        platform = Platform.initialise(Settings(data_dir=Path(folder)))
        rows_by_source = []
        for importer in all_importers().values():
            t0 = time.perf_counter()
            result = load_source(importer, platform.standard, platform.records, platform.warehouse)
            rows_by_source.append((importer.id, result.version.row_count, time.perf_counter() - t0))
        total = time.perf_counter() - started
    rows = sum(r for _, r, _ in rows_by_source)
    lines = [
        "## Loading every vendored source (`pivgm load-sources`)",
        "",
        f"- wall time: **{total:.1f} s** for {len(rows_by_source)} sources and {rows:,} observations "
        f"({rows / total:,.0f} rows/s); target under {TARGET_SECONDS:.0f} s: "
        f"**{'met' if total < TARGET_SECONDS else 'NOT met'}**",
        "",
        "| source | observations | seconds | rows/s |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {s} | {r:,} | {t:.2f} | {r / t:,.0f} |" for s, r, t in rows_by_source),
    ]
    write_section("load-sources", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
