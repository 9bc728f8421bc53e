"""Honduras INM importer: reproduces INM totals, keeps totals apart from breakdowns, rejects bad files."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.honduras_inm import HondurasInm
from pivgm.structures import load_standard

TOTALS_FILE = "irreg_honduras.csv.gz"
NATIONALITY_FILE = "irreg_honduras_nat.csv.gz"
DEMOGRAPHY_FILE = "irreg_honduras_dmg.csv.gz"


def raw_rows(name: str) -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def raw_text(name: str) -> str:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8", newline="") as f:
        return f.read()


def write_gzip_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with gzip.open(path, "wb") as f:
        f.write(text.encode(encoding))


def copy_sources(target: Path) -> None:
    for name in HondurasInm.files:
        shutil.copy(VENDORED_DIR / name, target / name)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return HondurasInm().read()


def totals(table: pa.Table) -> list[dict]:
    return [r for r in table.to_pylist() if r["CITIZENSHIP"] == "_T" and r["SEX"] == "_T"]


def by_nationality(table: pa.Table) -> list[dict]:
    return [r for r in table.to_pylist() if r["CITIZENSHIP"] != "_T"]


def by_sex_and_age(table: pa.Table) -> list[dict]:
    return [r for r in table.to_pylist() if r["CITIZENSHIP"] == "_T" and r["SEX"] != "_T"]


def sum_by(rows: list[dict], length: int) -> Counter:
    summed: Counter = Counter()
    for row in rows:
        summed[row["TIME_PERIOD"][:length]] += row["OBS_VALUE"]
    return summed


def test_honduras_2023_entries_by_nationality_match_the_inm_figures(table):
    rows_2023 = [r for r in by_nationality(table) if r["TIME_PERIOD"][:4] == "2023"]
    assert sum(r["OBS_VALUE"] for r in rows_2023) == 545_043
    by_country: Counter = Counter()
    for row in rows_2023:
        by_country[row["CITIZENSHIP"]] += row["OBS_VALUE"]
    assert (by_country["VEN"], by_country["CUB"], by_country["HTI"], by_country["ECU"]) == (
        228_889,
        85_969,
        82_249,
        46_086,
    )


def test_honduras_each_file_sums_as_the_raw_file(table):
    for name, rows in (
        (TOTALS_FILE, totals(table)),
        (NATIONALITY_FILE, by_nationality(table)),
        (DEMOGRAPHY_FILE, by_sex_and_age(table)),
    ):
        raw: Counter = Counter()
        for row in raw_rows(name):
            raw[row["t"][:7]] += int(row["n"])
        assert sum_by(rows, 7) == raw, name


def test_honduras_monthly_totals_equal_the_nationality_and_demographic_sums_from_2018(table):
    monthly_totals = {m: v for m, v in sum_by(totals(table), 7).items() if m >= "2018"}
    nationality, demography = sum_by(by_nationality(table), 7), sum_by(by_sex_and_age(table), 7)
    for month, total in monthly_totals.items():
        assert nationality[month] == demography[month] == total, month
    assert len(monthly_totals) == 88


def test_honduras_totals_reach_back_to_2014_and_keep_published_zeros(table):
    monthly = sum_by(totals(table), 7)
    assert min(monthly) == "2014-01"
    assert monthly["2020-04"] == monthly["2020-05"] == 0


def test_honduras_rows_sharing_a_nationality_code_are_added_up(table):
    raw: Counter = Counter()
    for row in raw_rows(NATIONALITY_FILE):
        raw[(row["t"][:7], {"OOO": "_O", "STL": "XXA"}.get(row["nat"], row["nat"]))] += int(row["n"])
    output = {(r["TIME_PERIOD"], r["CITIZENSHIP"]): r["OBS_VALUE"] for r in by_nationality(table)}
    assert output == raw
    assert output[("2024-09", "_O")] == 2 + 1 + 1
    assert output[("2024-09", "XXA")] == 3


def test_honduras_men_and_women_are_adults_and_boys_and_girls_children(table):
    coded = {(r["SEX"], r["AGE"], r["ACCOMPANIMENT"]) for r in by_sex_and_age(table)}
    assert coded == {
        ("M", "Y_GE18", "_Z"),
        ("F", "Y_GE18", "_Z"),
        ("M", "Y_LT18", "_T"),
        ("F", "Y_LT18", "_T"),
    }


def test_honduras_has_the_dataflow_columns_and_unique_keys(table):
    dataflow = load_standard().dataflows[HondurasInm.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in table.to_pylist()]
    assert len(keys) == len(set(keys))
    assert set(table.column("REF_AREA").to_pylist()) == {"HND"}
    assert set(table.column("UNIT_MEASURE").to_pylist()) == {"PS"}


def test_honduras_codes_are_in_their_codelists(table):
    standard = load_standard()
    dataflow = standard.dataflows[HondurasInm.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id
    assert set(table.column("UNIT_MEASURE").to_pylist()) <= standard.codelists["CL_UNIT_MEASURE"].ids()


@pytest.mark.parametrize(("name", "column"), [(TOTALS_FILE, "n"), (NATIONALITY_FILE, "nat"), (DEMOGRAPHY_FILE, "t")])
def test_honduras_file_without_a_column_is_rejected(tmp_path, name, column):
    copy_sources(tmp_path)
    rows = raw_rows(name)
    kept = [c for c in rows[0] if c != column]
    text = ",".join(kept) + "\n" + "".join(",".join(r[c] for c in kept) + "\n" for r in rows)
    write_gzip_text(tmp_path / name, text)
    with pytest.raises(SourceFormatError) as error:
        HondurasInm().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        name,
        1,
        column,
    )


@pytest.mark.parametrize("name", HondurasInm.files)
def test_honduras_latin1_file_is_rejected_at_its_row(tmp_path, name):
    copy_sources(tmp_path)
    lines = raw_text(name).splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + "ñ\n"
    write_gzip_text(tmp_path / name, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError) as error:
        HondurasInm().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (name, 3)


@pytest.mark.parametrize("name", HondurasInm.files)
def test_honduras_empty_file_is_rejected(tmp_path, name):
    copy_sources(tmp_path)
    write_gzip_text(tmp_path / name, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        HondurasInm().read(tmp_path)
    assert error.value.details["file"] == name


def test_honduras_date_that_is_not_a_first_of_month_is_rejected_at_its_row(tmp_path):
    copy_sources(tmp_path)
    lines = raw_text(TOTALS_FILE).splitlines(keepends=True)
    lines[3] = lines[3].replace("-01,", "-15,", 1)
    write_gzip_text(tmp_path / TOTALS_FILE, "".join(lines))
    with pytest.raises(SourceFormatError, match="first day") as error:
        HondurasInm().read(tmp_path)
    assert (error.value.details["row"], error.value.details["column"]) == (4, "t")
