"""UNHCR asylum applications importer: source totals, UNHCR codes kept (NA is a code), bad files rejected."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.unhcr_asylum_applications import UnhcrAsylumApplicationsImporter
from pivgm.structures import load_standard
from tests.sources.vendored_copies import (
    raw_rows,
    raw_text,
    write_gzip_text,
    write_with_fields,
    write_without_column,
)

FILE = "asylum_applications_americas.csv.gz"
COUNT_BASIS = {"P": "PS", "C": "CASES"}


def read_with_fields(tmp_path: Path, line: int, fields: dict[str, str]) -> None:
    """Read a copy of the vendored file whose ``line`` (0 = header) has ``fields`` replaced."""
    write_with_fields(tmp_path, FILE, line, fields)
    UnhcrAsylumApplicationsImporter().read(tmp_path)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return UnhcrAsylumApplicationsImporter().read()


@pytest.fixture(scope="module")
def rows(table) -> list[dict]:
    return table.to_pylist()


def test_totals_by_year_and_count_basis_equal_the_raw_file(rows):
    raw: Counter = Counter()
    for row in raw_rows(FILE):
        raw[(row["year"], COUNT_BASIS[row["app_pc"]])] += int(row["applied"])
    loaded: Counter = Counter()
    for row in rows:
        loaded[(row["TIME_PERIOD"], row["COUNT_BASIS"])] += row["OBS_VALUE"]
    assert loaded == raw
    assert len(rows) == len(raw_rows(FILE))


def test_every_source_row_is_one_observation_with_its_own_key(rows):
    raw = Counter(
        (
            r["coa_iso"],
            r["coo_iso"].replace("UNK", "_U"),
            r["procedure_type"],
            r["app_type"],
            r["dec_level"],
            COUNT_BASIS[r["app_pc"]],
            r["year"],
        )
        for r in raw_rows(FILE)
    )
    loaded = Counter(
        (
            r["REF_AREA"],
            r["COUNTERPART_AREA"],
            r["ASYLUM_PROCEDURE"],
            r["APPLICATION_TYPE"],
            r["DECISION_LEVEL"],
            r["COUNT_BASIS"],
            r["TIME_PERIOD"],
        )
        for r in rows
    )
    assert loaded == raw
    assert max(raw.values()) == 1


def test_new_applications_level_na_is_kept_as_a_code(rows):
    raw = sum(1 for r in raw_rows(FILE) if r["dec_level"] == "NA")
    assert sum(1 for r in rows if r["DECISION_LEVEL"] == "NA") == raw > 0
    assert sum(1 for r in rows if r["APPLICATION_TYPE"] == "NA") > 0


def test_honduran_applications_in_mexico_and_the_usa_2023_equal_the_raw_file(rows):
    for asylum in ("MEX", "USA"):
        raw = Counter()
        for r in raw_rows(FILE):
            if (r["coa_iso"], r["coo_iso"], r["year"]) == (asylum, "HND", "2023"):
                raw[COUNT_BASIS[r["app_pc"]]] += int(r["applied"])
        loaded = Counter()
        for r in rows:
            if (r["REF_AREA"], r["COUNTERPART_AREA"], r["TIME_PERIOD"]) == (asylum, "HND", "2023"):
                loaded[r["COUNT_BASIS"]] += r["OBS_VALUE"]
        assert loaded == raw and sum(raw.values()) > 0


def test_unit_of_measure_follows_the_count_basis(rows):
    assert {(r["COUNT_BASIS"], r["UNIT_MEASURE"]) for r in rows} == {("PS", "PS"), ("CASES", "CASES")}


def test_unknown_origin_becomes_code_u(rows):
    origins = {r["COUNTERPART_AREA"] for r in rows}
    assert "_U" in origins and "UNK" not in origins
    assert "XXA" in origins


def test_applications_have_the_dataflow_columns_and_unique_keys(table, rows):
    dataflow = load_standard().dataflows[UnhcrAsylumApplicationsImporter.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
    assert table.schema.field("OBS_VALUE").type == pa.float64()
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_applications_codes_are_in_their_codelists(table):
    standard = load_standard()
    dataflow = standard.dataflows[UnhcrAsylumApplicationsImporter.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id
    assert set(table.column("UNIT_MEASURE").to_pylist()) <= standard.codelists["CL_UNIT_MEASURE"].ids()


@pytest.mark.parametrize("column", ["coa_iso", "procedure_type", "app_type", "dec_level", "app_pc", "applied"])
def test_applications_file_without_a_column_is_rejected(tmp_path, column):
    write_without_column(tmp_path, FILE, column)
    with pytest.raises(SourceFormatError) as error:
        UnhcrAsylumApplicationsImporter().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        FILE,
        1,
        column,
    )


def test_applications_latin1_file_is_rejected_at_its_row(tmp_path):
    lines = raw_text(FILE).splitlines(keepends=True)
    lines[9] = lines[9].replace(",", ",Perú ", 1)
    write_gzip_text(tmp_path / FILE, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError, match="UTF-8") as error:
        UnhcrAsylumApplicationsImporter().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (FILE, 10)


def test_applications_empty_file_is_rejected(tmp_path):
    write_gzip_text(tmp_path / FILE, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        UnhcrAsylumApplicationsImporter().read(tmp_path)
    assert error.value.details["file"] == FILE


def test_applications_unknown_count_basis_is_rejected_at_its_row(tmp_path):
    with pytest.raises(SourceFormatError, match="'X'") as error:
        read_with_fields(tmp_path, 3, {"app_pc": "X"})
    assert (error.value.details["row"], error.value.details["column"]) == (4, "app_pc")


def test_applications_year_that_is_not_a_number_is_rejected_at_its_row(tmp_path):
    with pytest.raises(SourceFormatError) as error:
        read_with_fields(tmp_path, 2, {"year": "2006-07"})
    assert (error.value.details["row"], error.value.details["column"]) == (3, "year")
