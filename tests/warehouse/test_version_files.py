"""A version file holds plain text whatever encoding its observations had in memory: a table whose text
columns are dictionary-encoded (a validated submission's) is read back, by Arrow and by DuckDB, as the same
table of text."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pivgm.warehouse.files import Warehouse
from tests.encodings import encoded as encoded_text


def _observations() -> pa.Table:
    return pa.table(
        {
            "REF_AREA": ["MEX", "GTM", "MEX", None],
            "TIME_PERIOD": ["2024-01", "2024-01", "2024-02", "2024-03"],
            "OBS_VALUE": [1.0, 2.5, None, 4.0],
        }
    )


def test_a_dictionary_encoded_version_reads_back_as_the_same_text(tmp_path: Path):
    plain = _observations()
    encoded = encoded_text(plain)
    assert pa.types.is_dictionary(encoded.schema.field("REF_AREA").type)
    stored = Warehouse(tmp_path).write_version("DF_TEST", encoded)

    path = tmp_path / stored.relative_path
    read = pq.read_table(path)
    assert read.schema == plain.schema and read.equals(plain)
    assert stored.row_count == 4
    rows = duckdb.sql(f"SELECT REF_AREA, typeof(REF_AREA) FROM read_parquet('{path}') ORDER BY TIME_PERIOD")
    assert rows.fetchall() == [("MEX", "VARCHAR"), ("GTM", "VARCHAR"), ("MEX", "VARCHAR"), (None, "VARCHAR")]


def test_a_plain_version_keeps_its_arrow_schema(tmp_path: Path):
    plain = _observations().append_column("OBS_COMMENT", pa.array(["a", None, "b", "c"], pa.large_string()))
    stored = Warehouse(tmp_path).write_version("DF_TEST", plain)
    assert pq.read_table(tmp_path / stored.relative_path).schema == plain.schema  # large text stays large
