"""WDI remittances importer: personal remittances received and paid, annual, all counterpart countries."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.wdi_remittances import WdiRemittances
from pivgm.structures import load_standard

FILE = "wdi_wpp_indicators.csv.gz"
FLOWS = {"remin": "IN", "remout": "OUT"}


def raw_rows() -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / FILE, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with gzip.open(path / FILE, "wb") as f:
        f.write(buffer.getvalue().encode(encoding))


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return WdiRemittances().read()


@pytest.fixture(scope="module")
def values(table) -> dict[tuple[str, str, str], float]:
    return {(r["REF_AREA"], r["REMITTANCE_FLOW"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in table.to_pylist()}


def test_remittances_received_2023_match_the_provenance_checks(values):
    raw = {row["geo"]: float(row["v"]) for row in raw_rows() if row["var"] == "remin" and row["t"] == "2023"}
    for country, billions in {"MEX": 66.24, "GTM": 19.98, "HND": 8.97, "SLV": 8.19}.items():
        assert round(raw[country] / 1e9, 2) == billions
        assert round(values[(country, "IN", "2023")] / 1e9, 2) == billions


def test_every_received_and_paid_value_equals_the_raw_file(table, values):
    raw = {(row["geo"], FLOWS[row["var"]], row["t"]): float(row["v"]) for row in raw_rows() if row["var"] in FLOWS}
    assert values == raw
    assert table.num_rows == len(raw)


def test_wdi_remittances_are_annual_totals_over_all_counterparts(table):
    assert set(table.column("FREQ").to_pylist()) == {"A"}
    assert set(table.column("COUNTERPART_AREA").to_pylist()) == {"_T"}


def test_wdi_remittances_have_the_dataflow_columns_unique_keys_and_known_codes(table):
    dataflow = load_standard().dataflows[WdiRemittances.dataflow_id]
    keys = [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    assert table.column_names == [*keys, "OBS_VALUE"]
    assert len({tuple(r[k] for k in keys) for r in table.to_pylist()}) == table.num_rows
    assert table.column("OBS_VALUE").null_count == 0
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids()


def test_a_file_without_the_value_column_is_rejected(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "v"} for row in raw_rows()[:5]]
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 1, column 'v'"):
        WdiRemittances().read(tmp_path)


def test_a_latin1_file_is_rejected_naming_the_row(tmp_path):
    rows = raw_rows()[:5]
    rows[1]["var"] = "remesas_año"
    write_rows(tmp_path, rows, encoding="latin-1")
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 3: the file is not valid UTF-8"):
        WdiRemittances().read(tmp_path)


def test_an_empty_file_is_rejected(tmp_path):
    with gzip.open(tmp_path / FILE, "wb"):
        pass
    with pytest.raises(SourceFormatError, match=rf"{FILE}: the file is empty"):
        WdiRemittances().read(tmp_path)


def test_an_empty_value_is_rejected_naming_row_and_column(tmp_path):
    rows = raw_rows()[:5]
    rows[4]["v"] = ""
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 6, column 'v'"):
        WdiRemittances().read(tmp_path)
