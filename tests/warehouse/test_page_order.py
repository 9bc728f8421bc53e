"""Pages of observations are in key order even when the release file is already sorted: DuckDB scans a
file's row groups in parallel, and a query without ORDER BY (on a sorted file, it would skip a sort) gave
rows of other row groups in a page, a different page at each run, insertion order preserved or not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pivgm.warehouse import DataQuery
from pivgm.warehouse.query import ReleaseReader

KEYS = ["FREQ", "REF_AREA", "TIME_PERIOD_START"]
AREAS = [f"A{i:03d}" for i in range(300)]
YEARS = range(1900, 2000)


def sorted_release(folder: Path) -> tuple[Path, pa.Table]:
    """A file sorted by key, of 30 row groups, as a large release is."""
    n = len(AREAS) * len(YEARS)
    table = pa.table(
        {
            "FREQ": ["A"] * n,
            "REF_AREA": [area for area in AREAS for _ in YEARS],
            "TIME_PERIOD_START": [date(year, 1, 1) for _ in AREAS for year in YEARS],
            "TIME_PERIOD": [str(year) for _ in AREAS for year in YEARS],
            "OBS_VALUE": [float(i) for i in range(n)],
        }
    )
    path = folder / "sorted.parquet"
    pq.write_table(table, path, row_group_size=1000)
    return path, table


def test_pages_of_a_file_of_many_row_groups_are_slices_of_the_key_order(tmp_path):
    """Fails if the ORDER BY is left out for sorted files (seen red: rows of later row groups in a page)."""
    path, table = sorted_release(tmp_path)
    reader = ReleaseReader()
    selected = AREAS[::7]
    chosen = table.filter(pc.is_in(table.column("REF_AREA"), pa.array(selected)))
    for filters, whole, offset, limit in [
        ({}, table, 4_321, 20_000),
        ({"REF_AREA": selected}, chosen, 50, 3_000),
        ({"REF_AREA": selected}, chosen, 1_000, 2_000),
    ]:
        for _ in range(3):  # the wrong pages differed from run to run
            page = reader.observations(
                path, ["OBS_VALUE"], DataQuery(filters=filters, limit=limit, offset=offset), KEYS
            )
            expected = whole.column("OBS_VALUE").to_pylist()[offset : offset + limit]
            assert page.column("OBS_VALUE").to_pylist() == expected
