"""UNHCR asylum decisions importer: one observation per outcome, totals as published, bad files rejected."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.unhcr_asylum_decisions import UnhcrAsylumDecisionsImporter
from pivgm.structures import load_standard
from tests.sources.vendored_copies import (
    raw_rows,
    raw_text,
    write_gzip_text,
    write_with_fields,
    write_without_column,
)

FILE = "asylum_decisions_americas.csv.gz"
OUTCOMES = {
    "dec_recognized": "RECOGNIZED",
    "dec_other": "COMPLEMENTARY",
    "dec_rejected": "REJECTED",
    "dec_closed": "CLOSED",
    "dec_total": "_T",
}
COUNT_BASIS = {"P": "PS", "C": "CASES"}


def read_with_fields(tmp_path: Path, line: int, fields: dict[str, str]) -> pa.Table:
    """Read a copy of the vendored file whose ``line`` (0 = header) has ``fields`` replaced."""
    write_with_fields(tmp_path, FILE, line, fields)
    return UnhcrAsylumDecisionsImporter().read(tmp_path)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return UnhcrAsylumDecisionsImporter().read()


@pytest.fixture(scope="module")
def rows(table) -> list[dict]:
    return table.to_pylist()


def test_totals_by_outcome_year_and_count_basis_equal_the_raw_file(rows):
    raw: Counter = Counter()
    for row in raw_rows(FILE):
        for column, code in OUTCOMES.items():
            raw[(code, row["year"], COUNT_BASIS[row["dec_pc"]])] += int(row[column])
    loaded: Counter = Counter()
    for row in rows:
        loaded[(row["DECISION_TYPE"], row["TIME_PERIOD"], row["COUNT_BASIS"])] += row["OBS_VALUE"]
    assert loaded == raw


def test_every_source_row_gives_one_observation_per_outcome_zeros_included(rows):
    assert len(rows) == len(OUTCOMES) * len(raw_rows(FILE))
    raw_zeros = sum(1 for r in raw_rows(FILE) for column in OUTCOMES if r[column] == "0")
    assert sum(1 for r in rows if r["OBS_VALUE"] == 0) == raw_zeros > 0


def test_total_is_kept_as_published_where_it_differs_from_the_sum_of_outcomes(rows):
    mismatched = [
        r for r in raw_rows(FILE) if int(r["dec_total"]) != sum(int(r[c]) for c in OUTCOMES if c != "dec_total")
    ]
    assert mismatched
    sample = next(r for r in mismatched if (r["coa_iso"], r["year"]) == ("CAN", "2020"))
    found = {
        r["DECISION_TYPE"]: r["OBS_VALUE"]
        for r in rows
        if (r["REF_AREA"], r["COUNTERPART_AREA"], r["TIME_PERIOD"], r["DECISION_LEVEL"], r["COUNT_BASIS"])
        == (sample["coa_iso"], sample["coo_iso"], "2020", sample["dec_level"], COUNT_BASIS[sample["dec_pc"]])
        and r["ASYLUM_PROCEDURE"] == sample["procedure_type"]
    }
    assert found == {code: float(sample[column]) for column, code in OUTCOMES.items()}


def test_new_applications_level_na_is_kept_as_a_code(rows):
    raw = sum(1 for r in raw_rows(FILE) if r["dec_level"] == "NA")
    assert sum(1 for r in rows if r["DECISION_LEVEL"] == "NA") == len(OUTCOMES) * raw > 0


def test_unit_of_measure_follows_the_count_basis(rows):
    assert {(r["COUNT_BASIS"], r["UNIT_MEASURE"]) for r in rows} == {("PS", "PS"), ("CASES", "CASES")}


def test_unknown_origin_becomes_code_u(rows):
    origins = {r["COUNTERPART_AREA"] for r in rows}
    assert {"_U", "XXA"} <= origins and "UNK" not in origins


def test_decisions_have_the_dataflow_columns_and_unique_keys(table, rows):
    dataflow = load_standard().dataflows[UnhcrAsylumDecisionsImporter.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
    assert table.schema.field("OBS_VALUE").type == pa.float64()
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_decisions_codes_are_in_their_codelists(table):
    standard = load_standard()
    dataflow = standard.dataflows[UnhcrAsylumDecisionsImporter.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id
    assert set(table.column("UNIT_MEASURE").to_pylist()) <= standard.codelists["CL_UNIT_MEASURE"].ids()


def test_decision_level_codelist_has_every_level_of_both_asylum_files():
    levels = {r["dec_level"] for r in raw_rows(FILE)}
    with gzip.open(VENDORED_DIR / "asylum_applications_americas.csv.gz", "rt", encoding="utf-8") as f:
        levels |= {r["dec_level"] for r in csv.DictReader(f)}
    assert levels <= load_standard().codelists["CL_DECISION_LEVEL"].ids()


def test_empty_outcome_cell_gives_no_observation(tmp_path):
    table = read_with_fields(tmp_path, 1, {"dec_other": ""})
    assert table.num_rows == len(OUTCOMES) * len(raw_rows(FILE)) - 1


@pytest.mark.parametrize("column", ["coo_iso", "procedure_type", "dec_level", "dec_pc", "dec_closed", "dec_total"])
def test_decisions_file_without_a_column_is_rejected(tmp_path, column):
    write_without_column(tmp_path, FILE, column)
    with pytest.raises(SourceFormatError) as error:
        UnhcrAsylumDecisionsImporter().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        FILE,
        1,
        column,
    )


def test_decisions_latin1_file_is_rejected_at_its_row(tmp_path):
    lines = raw_text(FILE).splitlines(keepends=True)
    lines[5] = lines[5].replace(",", ",Bogotá ", 1)
    write_gzip_text(tmp_path / FILE, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError, match="UTF-8") as error:
        UnhcrAsylumDecisionsImporter().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (FILE, 6)


def test_decisions_empty_file_is_rejected(tmp_path):
    write_gzip_text(tmp_path / FILE, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        UnhcrAsylumDecisionsImporter().read(tmp_path)
    assert error.value.details["file"] == FILE


def test_decisions_count_that_is_not_a_number_is_rejected_at_its_row(tmp_path):
    with pytest.raises(SourceFormatError, match="'5a'") as error:
        read_with_fields(tmp_path, 7, {"dec_rejected": "5a"})
    assert (error.value.details["row"], error.value.details["column"]) == (8, "dec_rejected")


def test_decisions_unknown_count_basis_is_rejected_at_its_row(tmp_path):
    with pytest.raises(SourceFormatError) as error:
        read_with_fields(tmp_path, 2, {"dec_pc": "persons"})
    assert (error.value.details["row"], error.value.details["column"]) == (3, "dec_pc")
