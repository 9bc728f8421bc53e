"""Large pages (a limit above ``BULK_ROWS``) are read, counted and written as text by a DuckDB of one thread,
so a client pulling them keeps one core, not all, while small pages and queries without a limit (the
explorer's) run on every thread; the pages are the same either way."""

from __future__ import annotations

import os

import pytest

from pivgm.warehouse import DataQuery
from pivgm.warehouse.query import BULK_ROWS, ReleaseReader
from tests.warehouse.test_page_order import KEYS, sorted_release


def threads(reader: ReleaseReader, query: DataQuery) -> int:
    """How many threads the DuckDB that reads ``query``'s page runs."""
    row = reader._for(query.limit or 0).execute("SELECT current_setting('threads')").fetchone()
    assert row is not None
    return int(row[0])


def test_a_large_page_takes_one_thread_and_the_same_rows(tmp_path):
    """Fails if large pages go back to the connection of every thread (a large pull then held both cores
    and doubled the p95 of others' small queries: bench/data_api_scale.py)."""
    path, table = sorted_release(tmp_path)
    reader = ReleaseReader()
    large = DataQuery(limit=BULK_ROWS + 5_000, offset=1_234)
    assert threads(reader, large) == 1
    page = reader.observations(path, ["OBS_VALUE"], large, KEYS)
    assert page.column("OBS_VALUE").to_pylist() == table.column("OBS_VALUE").to_pylist()[1_234 : 1_234 + large.limit]
    assert reader.count(path, large) == table.num_rows
    assert reader.json_rows(page.slice(0, BULK_ROWS + 1)) is not None


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="on one core every DuckDB runs one thread")
def test_small_pages_and_the_explorer_s_queries_take_every_thread(tmp_path):
    reader = ReleaseReader()
    assert threads(reader, DataQuery(limit=BULK_ROWS)) > 1
    assert threads(reader, DataQuery()) > 1
