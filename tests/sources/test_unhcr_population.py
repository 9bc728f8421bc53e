"""UNHCR population importer: one observation per filled cell, UNHCR's figures, bad files rejected."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.unhcr_population import UnhcrPopulationImporter
from pivgm.structures import load_standard
from tests.sources.vendored_copies import (
    raw_rows,
    raw_text,
    write_gzip_text,
    write_with_fields,
    write_without_column,
)

FILE = "population.csv.gz"
MEASURES = {
    "refugees": "REF",
    "asylum_seekers": "ASY",
    "returned_refugees": "RET",
    "idps": "IDP",
    "returned_idps": "RDP",
    "stateless": "STA",
    "ooc": "OOC",
    "oip": "OIP",
    "hst": "HST",
}


def read_with_fields(tmp_path: Path, line: int, fields: dict[str, str]) -> None:
    """Read a copy of the vendored file whose ``line`` (0 = header) has ``fields`` replaced."""
    write_with_fields(tmp_path, FILE, line, fields)
    UnhcrPopulationImporter().read(tmp_path)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return UnhcrPopulationImporter().read()


@pytest.fixture(scope="module")
def rows(table) -> list[dict]:
    return table.to_pylist()


def total(rows: list[dict], **where: str) -> float:
    return sum(r["OBS_VALUE"] for r in rows if all(r[k] == v for k, v in where.items()))


@pytest.mark.parametrize(
    ("population_type", "year", "expected"),
    [("REF", "2018", 16_530), ("REF", "2024", 150_836), ("ASY", "2018", 23_833), ("ASY", "2024", 266_710)],
)
def test_mexico_as_country_of_asylum_matches_unhcr(rows, population_type, year, expected):
    assert total(rows, REF_AREA="MEX", POPULATION_TYPE=population_type, TIME_PERIOD=year) == expected


@pytest.mark.parametrize(("population_type", "expected"), [("REF", 370_169), ("ASY", 1_360_041), ("OIP", 5_875_359)])
def test_venezuelans_abroad_2024_match_unhcr(rows, population_type, expected):
    assert total(rows, COUNTERPART_AREA="VEN", POPULATION_TYPE=population_type, TIME_PERIOD="2024") == expected


@pytest.mark.parametrize(("asylum", "expected"), [("USA", 143_425), ("MEX", 62_643)])
def test_honduran_asylum_seekers_2023_match_unhcr(rows, asylum, expected):
    assert total(rows, REF_AREA=asylum, COUNTERPART_AREA="HND", POPULATION_TYPE="ASY", TIME_PERIOD="2023") == expected


def test_totals_by_population_type_and_year_equal_the_raw_file(rows):
    raw: Counter = Counter()
    for row in raw_rows(FILE):
        for column, code in MEASURES.items():
            if row[column] != "":
                raw[(code, row["year"])] += int(row[column])
    loaded: Counter = Counter()
    for row in rows:
        loaded[(row["POPULATION_TYPE"], row["TIME_PERIOD"])] += row["OBS_VALUE"]
    assert loaded == raw


def test_every_filled_cell_is_one_observation_and_zeros_are_kept(rows):
    cells = Counter()
    zeros = Counter()
    for row in raw_rows(FILE):
        for column, code in MEASURES.items():
            cells[code] += row[column] != ""
            zeros[code] += row[column] == "0"
    assert Counter(r["POPULATION_TYPE"] for r in rows) == cells
    assert Counter(r["POPULATION_TYPE"] for r in rows if r["OBS_VALUE"] == 0) == zeros
    assert zeros["REF"] > 0


def test_empty_cells_give_no_observation(rows):
    oip_years = {r["TIME_PERIOD"] for r in rows if r["POPULATION_TYPE"] == "OIP"}
    assert min(oip_years) == "2018"
    assert sum(1 for r in raw_rows(FILE) if r["oip"] == "") > 0


def test_special_origins_become_platform_codes(rows):
    origins = {r["COUNTERPART_AREA"] for r in rows}
    assert {"_U", "XXA", "TIB"} <= origins
    assert "UNK" not in origins
    assert "UNK" not in {r["REF_AREA"] for r in rows}
    raw_unknown = sum(int(r["refugees"]) for r in raw_rows(FILE) if r["coo_iso"] == "UNK")
    assert total(rows, COUNTERPART_AREA="_U", POPULATION_TYPE="REF") == raw_unknown > 0


def test_population_has_the_dataflow_columns_and_unique_keys(table, rows):
    dataflow = load_standard().dataflows[UnhcrPopulationImporter.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE"]
    assert table.schema.field("OBS_VALUE").type == pa.float64()
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r["FREQ"] for r in rows} == {"A"}


def test_population_codes_are_in_their_codelists(table):
    dataflow = load_standard().dataflows[UnhcrPopulationImporter.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id


@pytest.mark.parametrize("column", ["year", "coo_iso", "coa_iso", "refugees", "oip"])
def test_population_file_without_a_column_is_rejected(tmp_path, column):
    write_without_column(tmp_path, FILE, column)
    with pytest.raises(SourceFormatError) as error:
        UnhcrPopulationImporter().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        FILE,
        1,
        column,
    )


def test_population_latin1_file_is_rejected_at_its_row(tmp_path):
    lines = raw_text(FILE).splitlines(keepends=True)
    lines[6] = lines[6].replace("Unknown", "Desconocido (país ñ)", 1)
    write_gzip_text(tmp_path / FILE, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError, match="UTF-8") as error:
        UnhcrPopulationImporter().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (FILE, 7)


def test_population_empty_file_is_rejected(tmp_path):
    write_gzip_text(tmp_path / FILE, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        UnhcrPopulationImporter().read(tmp_path)
    assert error.value.details["file"] == FILE


def test_population_count_that_is_not_a_number_is_rejected_at_its_row(tmp_path):
    with pytest.raises(SourceFormatError, match="n/a") as error:
        read_with_fields(tmp_path, 4, {"asylum_seekers": "n/a"})
    assert (error.value.details["row"], error.value.details["column"]) == (5, "asylum_seekers")
