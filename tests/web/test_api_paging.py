"""`/api/data` answers in pages no larger than ``PIVGM_API_MAX_PAGE``; following `next` links walks the whole
selection, each observation once, in key order; links start with ``PIVGM_PUBLIC_URL``, never with the request's
``Host`` header. Checked over HTTP against a live server with a small maximum page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import duckdb
import httpx
import pytest

from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform
from tests.live import serving

FLOW = "DF_MIG_STOCK"
MAX_PAGE = 997  # divides no total evenly, so the last page is a short one
PUBLIC = "https://datos.example.org/pivgm"
FORGED = {"Host": "attacker.example"}


@pytest.fixture(scope="module")
def server(demo_platform: Platform) -> Iterator[str]:
    environment = {"PIVGM_API_MAX_PAGE": str(MAX_PAGE), "PIVGM_PUBLIC_URL": PUBLIC}
    with serving(demo_platform.settings, **environment) as base:
        yield base


def follow(base: str, link: str) -> str:
    """A link the server made, requested from the test server (it names the configured public address)."""
    assert link.startswith(f"{PUBLIC}/api/data/"), link
    return base + link.removeprefix(PUBLIC)


def whole_release(platform: Platform) -> list[dict[str, Any]]:
    """Every observation of the flow's current release, by one unpaged DuckDB query in key order."""
    release = Catalog(PublishedData(platform)).summary(FLOW).release
    assert release is not None
    path = platform.warehouse.path(release.parquet_file)
    structure = platform.standard.dataflow(FLOW).structure
    keys = ", ".join([*structure.dimension_ids, "TIME_PERIOD_START"])
    columns = ", ".join(structure.column_ids)
    query = f"SELECT {columns} FROM read_parquet('{path}') ORDER BY {keys}"
    table = duckdb.sql(query).to_arrow_table()
    return table.to_pylist()


def test_following_next_links_yields_the_whole_release_once_in_key_order(server, demo_platform):
    """Fails if the `next` link or the ORDER BY of a page is removed, or if a page's offset is off by one."""
    expected = whole_release(demo_platform)
    assert len(expected) > 3 * MAX_PAGE  # several pages, or the walk proves little
    walked: list[dict[str, Any]] = []
    url: str | None = f"{server}/api/data/{FLOW}"
    pages = 0
    while url:
        body = httpx.get(url, headers=FORGED, timeout=60).json()
        assert body["count"] <= MAX_PAGE and body["total"] == len(expected)
        assert (body["previous"] is None) == (pages == 0)
        walked += [{c: row[c] for c in expected[0]} for row in body["observations"]]
        url = follow(server, body["next"]) if body["next"] else None
        pages += 1
    assert pages == -(-len(expected) // MAX_PAGE)
    assert walked == expected


def test_previous_links_lead_back_to_the_page_before(server):
    second = httpx.get(f"{server}/api/data/{FLOW}", params={"limit": 10, "offset": 10}, timeout=60).json()
    first = httpx.get(follow(server, second["previous"]), timeout=60).json()
    assert first["offset"] == 0 and first["count"] == 10 and first["previous"] is None
    assert follow(server, first["next"]).endswith("limit=10&offset=10")


def test_without_limit_an_answer_is_one_page_of_the_largest_size(server):
    """Fails if the default page is removed (the whole selection would come back)."""
    body = httpx.get(f"{server}/api/data/{FLOW}", timeout=60).json()
    assert body["limit"] == MAX_PAGE and body["count"] == MAX_PAGE < body["total"]


def test_a_limit_over_the_largest_page_is_a_clear_422(server):
    """Fails if the maximum page check is removed."""
    response = httpx.get(f"{server}/api/data/{FLOW}", params={"limit": MAX_PAGE + 1}, timeout=60)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert str(MAX_PAGE) in message and "next" in message


@pytest.mark.parametrize("limit", ["1000000", "100000000000", "99999999999999999999999"])
def test_any_limit_over_the_largest_page_gets_the_same_message_naming_the_one_maximum(server, limit):
    """Fails if the query's own bound (another, larger maximum) answers first with another message."""
    response = httpx.get(f"{server}/api/data/{FLOW}", params={"limit": limit}, timeout=60)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["parameter"] == "limit", error
    assert error["message"].startswith(f"limit={limit} is over the largest page, {MAX_PAGE} observations"), error


def test_csv_pages_name_their_neighbours_in_a_link_header_built_from_the_public_address(server):
    """Fails if the Link header is removed or built from the Host header."""
    params = {"format": "csv", "REF_AREA": "USA", "limit": 5, "offset": 5}
    response = httpx.get(f"{server}/api/data/{FLOW}", params=params, headers=FORGED, timeout=60)
    assert response.status_code == 200
    links = dict(
        (part.split(";")[1].strip().removeprefix('rel="').removesuffix('"'), part.split(";")[0].strip("<> "))
        for part in response.headers["Link"].split(",")
    )
    assert set(links) == {"previous", "next"}
    assert "attacker" not in response.headers["Link"]
    total = int(response.headers["X-Total-Count"])
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 5 < total and {row["REF_AREA"] for row in rows} == {"USA"}
    following = httpx.get(follow(server, links["next"]), timeout=60)
    assert "REF_AREA=USA" in links["next"] and "format=csv" in links["next"]
    after = list(csv.DictReader(io.StringIO(following.text)))
    assert len(after) == 5 and not {tuple(r.values()) for r in after} & {tuple(r.values()) for r in rows}
