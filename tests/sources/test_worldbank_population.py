"""World Bank population importer: reproduces SP.POP.TOTL for the Americas, rejects bad files."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.worldbank_population import WorldbankPopulation
from pivgm.structures import load_standard

FILE = "worldbank_population_SP.POP.TOTL.csv.gz"
CHECKS_2024 = {
    "MEX": 130_861_007,
    "GTM": 18_406_359,
    "HND": 10_825_703,
    "SLV": 6_338_193,
    "NIC": 6_916_140,
    "CRI": 5_129_910,
    "PAN": 4_515_577,
    "BLZ": 417_072,
    "DOM": 11_427_557,
    "HTI": 11_772_557,
    "CUB": 10_979_783,
    "USA": 340_110_988,
}


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
    return WorldbankPopulation().read()


@pytest.fixture(scope="module")
def values(table) -> dict[tuple[str, str], float]:
    return {(r["REF_AREA"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in table.to_pylist()}


def test_population_2024_matches_the_provenance_checks(values):
    raw = {row["Country Code"]: int(row["Value"]) for row in raw_rows() if row["Year"] == "2024"}
    for country, population in CHECKS_2024.items():
        assert raw[country] == population
        assert values[(country, "2024")] == population


def test_every_country_and_year_equals_the_raw_file(table, values):
    raw = {(row["Country Code"], row["Year"]): int(row["Value"]) for row in raw_rows()}
    assert values == raw
    assert len(raw) == table.num_rows == 2_990


def test_population_is_annual_from_1960_to_2024(table):
    assert set(table.column("FREQ").to_pylist()) == {"A"}
    periods = table.column("TIME_PERIOD").to_pylist()
    assert (min(periods), max(periods)) == ("1960", "2024")


def test_population_has_the_dataflow_columns_unique_keys_and_known_codes(table):
    dataflow = load_standard().dataflows[WorldbankPopulation.dataflow_id]
    keys = [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    assert table.column_names == [*keys, "OBS_VALUE"]
    assert len({tuple(r[k] for k in keys) for r in table.to_pylist()}) == table.num_rows
    assert table.column("OBS_VALUE").null_count == 0
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids()


def test_a_file_without_the_value_column_is_rejected(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "Value"} for row in raw_rows()[:5]]
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 1, column 'Value'"):
        WorldbankPopulation().read(tmp_path)


def test_a_latin1_file_is_rejected_naming_the_row(tmp_path):
    rows = raw_rows()[:5]
    rows[2]["Country Name"] = "Perú"
    write_rows(tmp_path, rows, encoding="latin-1")
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 4: the file is not valid UTF-8"):
        WorldbankPopulation().read(tmp_path)


def test_an_empty_file_is_rejected(tmp_path):
    with gzip.open(tmp_path / FILE, "wb"):
        pass
    with pytest.raises(SourceFormatError, match=rf"{FILE}: the file is empty"):
        WorldbankPopulation().read(tmp_path)


def test_a_population_with_decimals_is_rejected_naming_row_and_column(tmp_path):
    rows = raw_rows()[:5]
    rows[0]["Value"] = "54,922"
    write_rows(tmp_path, rows)
    with pytest.raises(SourceFormatError, match=rf"{FILE}, row 2, column 'Value'"):
        WorldbankPopulation().read(tmp_path)
