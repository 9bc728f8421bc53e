"""Large /api/data answers, JSON and CSV, are written by DuckDB, yet hold the bytes the Python encoders
(msgspec; ``csv.writer`` over formula-safe cells) write for the same observations, odd values included:
null figures, floats that msgspec or Arrow write with an exponent, text in any script, quotes, commas,
backslashes, line breaks, control characters and notes that look like formulas. Checked on a real server
over HTTP, on a specimen release of more observations than one chunk, its odd rows spread among plain ones."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.cells import safe_row
from pivgm.platform import Platform
from pivgm.sources import SourceImporter
from pivgm.web.data_json import CHUNK_ROWS
from pivgm.workflow.loading import load_source
from tests.backends import settings_for
from tests.live import serving

FLOW = "DF_IRREGULAR_TRANSIT"
ODD_VALUES = [1e16, 5.5e20, 1e22, 3.2e-6, 1e-5, 0.1 + 0.2, 1 / 3, -0.0, 0.0, 1234.5, 2.5e9, 12345678901.5, None]
ODD_TEXTS = ["ñandú 中文 😀", 'a "quoted", \\ back', "tab\tnew\nline\r", "unit\x1fsep\x0bvt\x01", "\u2028", ""]
ODD_TEXTS += ["=HYPERLINK(1)", "-12", "+3.5e2", "@home", "-", None]
MONTHS = [f"{2006 + i // 12}-{i % 12 + 1:02d}" for i in range(120)]


class OddValues(SourceImporter):
    """4,320 monthly observations; every 1,500th stretch of 40 has odd figures, of 2,000th 30 odd notes."""

    id = "specimen_odd_values"
    dataflow_id = FLOW
    provider_id = "INM"
    provider_name = {"es": "Espécimen", "en": "Specimen"}
    files = ()

    def read(self, directory: Path = Path()) -> pa.Table:
        dimensions = [["MEX", "GTM"], ["HND", "SLV", "NIC"], ["F", "M", "_T"], ["_T", "Y_LT18"], MONTHS]
        keys = list(zip(*itertools.product(*dimensions), strict=True))
        n = len(keys[0])
        values = [ODD_VALUES[i // 7 % len(ODD_VALUES)] if i % 1500 < 40 else float(i) for i in range(n)]
        return pa.table(
            {
                "FREQ": ["M"] * n,
                "REF_AREA": keys[0],
                "CITIZENSHIP": keys[1],
                "SEX": keys[2],
                "AGE": keys[3],
                "ACCOMPANIMENT": ["_T"] * n,
                "TIME_PERIOD": keys[4],
                "OBS_VALUE": values,
                "UNIT_MEASURE": ["PS"] * n,
                "CONF_STATUS": ["C" if v is None else None for v in values],  # an empty figure is a confidential one
                "OBS_COMMENT": [ODD_TEXTS[i // 3 % len(ODD_TEXTS)] if i % 2000 < 30 else None for i in range(n)],
            }
        )


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    platform = Platform.initialise(settings_for(tmp_path_factory.mktemp("odd-values")))
    load_source(OddValues(), platform.standard, platform.records, platform.warehouse)
    return platform


@pytest.fixture(scope="module")
def server(platform: Platform) -> Iterator[str]:
    with serving(platform.settings) as base:
        yield base


def release_table(platform: Platform) -> pa.Table:
    """The release's observations in key order, read by DuckDB from the release file."""
    release = Catalog(PublishedData(platform)).summary(FLOW).release
    assert release is not None
    keys = ", ".join([*platform.standard.dataflow(FLOW).structure.dimension_ids, "TIME_PERIOD_START"])
    path = platform.warehouse.path(release.parquet_file)
    sql = f"SELECT * EXCLUDE (TIME_PERIOD_START) FROM read_parquet('{path}') ORDER BY {keys}"
    return duckdb.sql(sql).to_arrow_table()


def release_rows(platform: Platform) -> list[dict[str, object]]:
    return release_table(platform).to_pylist()


def python_csv(table: pa.Table) -> bytes:
    """The CSV the Python writer makes: formula-safe cells, figures as Arrow writes them, None empty."""
    columns = [
        pc.cast(column, pa.string()).to_pylist() if pa.types.is_floating(column.type) else column.to_pylist()
        for column in table.columns
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerows(safe_row(row) for row in zip(*columns, strict=True))
    return buffer.getvalue().encode()


def test_the_specimen_is_larger_than_a_chunk_and_holds_every_odd_value(platform):
    rows = release_rows(platform)
    assert len(rows) > CHUNK_ROWS
    figures = [row["OBS_VALUE"] for row in rows]
    assert all(v in figures for v in ODD_VALUES) and {row["OBS_COMMENT"] for row in rows} == set(ODD_TEXTS)


def test_a_large_answer_is_the_python_encoders_bytes_for_the_release_rows(server, platform):
    """Fails if DuckDB's text of an odd value reaches the answer (``10000000000000000.0`` for msgspec's
    ``1e16``, ``\\u001F`` for ``\\u001f``), or a row is lost, repeated or moved."""
    response = httpx.get(f"{server}/api/data/{FLOW}", timeout=60)
    assert response.status_code == 200 and "content-length" not in response.headers  # streamed
    body = response.json()
    assert body["observations"] == release_rows(platform)
    assert response.content == msgspec.json.encode(body)


@pytest.mark.parametrize(("offset", "limit"), [(0, CHUNK_ROWS + 1), (1, CHUNK_ROWS + 100), (2000, 2320)])
def test_pages_of_the_large_answer_are_the_python_encoders_bytes_too(server, platform, offset, limit):
    response = httpx.get(f"{server}/api/data/{FLOW}", params={"offset": offset, "limit": limit}, timeout=60)
    body = response.json()
    assert body["observations"] == release_rows(platform)[offset : offset + limit]
    assert response.content == msgspec.json.encode(body)


@pytest.mark.parametrize(("offset", "limit"), [(0, None), (1, CHUNK_ROWS + 100)])
def test_a_large_csv_answer_is_the_python_writers_bytes(server, platform, offset, limit):
    """Fails if DuckDB's text of an odd cell reaches the answer (``1071.0`` for ``1071``, a note that looks
    like a formula without its apostrophe, a comma or quote left unquoted), or a row is lost or moved."""
    params = {"format": "csv", "offset": offset, **({"limit": limit} if limit else {})}
    response = httpx.get(f"{server}/api/data/{FLOW}", params=params, timeout=60)
    assert response.status_code == 200 and "content-length" not in response.headers  # streamed
    table = release_table(platform)
    assert response.content == python_csv(table.slice(offset, limit))
