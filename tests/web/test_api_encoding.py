"""/api/data answers are encoded from Arrow in chunks (large ones streamed), yet are the very bytes the
framework's JSON rendering of the same content would be, with the same observations as the release."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import duckdb
import httpx
import pytest

from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform
from pivgm.web.data_json import CHUNK_ROWS
from tests.live import serving

FLOW = "DF_MIG_STOCK"


@pytest.fixture(scope="module")
def server(demo_platform: Platform) -> Iterator[str]:
    with serving(demo_platform.settings, PIVGM_API_MAX_PAGE=str(4 * CHUNK_ROWS)) as base:
        yield base


def rendered(body: Any) -> bytes:
    """The bytes of a compact JSON rendering, as the framework writes a returned dict."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def release_page(platform: Platform, limit: int, offset: int) -> list[dict[str, Any]]:
    release = Catalog(PublishedData(platform)).summary(FLOW).release
    assert release is not None
    structure = platform.standard.dataflow(FLOW).structure
    keys = ", ".join([*structure.dimension_ids, "TIME_PERIOD_START"])
    path = platform.warehouse.path(release.parquet_file)
    query = f"SELECT * EXCLUDE (TIME_PERIOD_START) FROM read_parquet('{path}') ORDER BY {keys} LIMIT ? OFFSET ?"
    return duckdb.sql(query, params=[limit, offset]).to_arrow_table().to_pylist()


def test_a_page_of_several_chunks_is_streamed_and_holds_the_release_rows_in_order(server, demo_platform):
    """Fails if a chunk is dropped or repeated, or a separator between chunks is lost (invalid JSON)."""
    limit = 3 * CHUNK_ROWS + 17
    response = httpx.get(f"{server}/api/data/{FLOW}", params={"limit": limit, "offset": 5}, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert "content-length" not in response.headers  # streamed, chunk by chunk
    body = response.json()
    assert body["count"] == len(body["observations"]) == limit
    assert body["observations"] == release_page(demo_platform, limit, 5)


@pytest.mark.parametrize("limit", [1, 250, 3 * CHUNK_ROWS])
def test_answers_are_byte_for_byte_the_rendering_of_their_content(server, limit):
    """Fails if a field is reordered, renamed or missing, or a value is written differently than before."""
    response = httpx.get(f"{server}/api/data/{FLOW}", params={"limit": limit, "REF_AREA": "USA,MEX,ESP"}, timeout=60)
    body = response.json()
    assert list(body) == [
        "dataflow",
        "release",
        "asOf",
        "total",
        "offset",
        "count",
        "columns",
        "observations",
        "limit",
        "previous",
        "next",
    ]
    assert response.content == rendered(body)


def test_an_empty_selection_is_a_valid_answer_with_no_observations(server):
    response = httpx.get(f"{server}/api/data/{FLOW}", params={"from": "1900", "to": "1900"}, timeout=60)
    body = response.json()
    assert body["observations"] == [] and body["count"] == body["total"] == 0
    assert response.content == rendered(body)


def test_every_page_names_the_selection_total_even_past_the_end(server):
    """Fails if the total is taken from a short page instead of counted (past the end, or a partial page)."""
    params = {"REF_AREA": "USA"}
    whole = httpx.get(f"{server}/api/data/{FLOW}", params=params, timeout=60).json()
    total = whole["total"]
    assert whole["count"] == total
    last = httpx.get(f"{server}/api/data/{FLOW}", params={**params, "offset": total - 3}, timeout=60).json()
    assert (last["count"], last["total"]) == (3, total)
    beyond = httpx.get(f"{server}/api/data/{FLOW}", params={**params, "offset": total + 5}, timeout=60).json()
    assert (beyond["count"], beyond["total"]) == (0, total)
    first = httpx.get(f"{server}/api/data/{FLOW}", params={**params, "limit": 7}, timeout=60).json()
    assert (first["count"], first["total"]) == (7, total)
