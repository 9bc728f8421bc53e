"""Panama SNM Darién importer: reproduces the SNM totals, codes every row, rejects broken files."""

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
from pivgm.sources.panama_darien import PanamaDarien
from pivgm.structures import load_standard

NATIONALITY_FILE = "irreg_darien_nat.csv.gz"
DEMOGRAPHY_FILE = "irreg_darien_dmg.csv.gz"


def raw_rows(name: str, directory: Path = VENDORED_DIR) -> list[dict[str, str]]:
    with gzip.open(directory / name, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_gzip_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with gzip.open(path, "wb") as f:
        f.write(text.encode(encoding))


def copy_sources(target: Path) -> None:
    for name in PanamaDarien.files:
        shutil.copy(VENDORED_DIR / name, target / name)


def raw_text(name: str) -> str:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8", newline="") as f:
        return f.read()


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return PanamaDarien().read()


def rows_of(table: pa.Table) -> list[dict]:
    return table.to_pylist()


def by_nationality(table: pa.Table) -> list[dict]:
    return [r for r in rows_of(table) if r["CITIZENSHIP"] != "_T"]


def by_sex_and_age(table: pa.Table) -> list[dict]:
    return [r for r in rows_of(table) if r["CITIZENSHIP"] == "_T"]


def sum_by_year(rows: list[dict]) -> Counter:
    totals: Counter = Counter()
    for row in rows:
        totals[row["TIME_PERIOD"][:4]] += row["OBS_VALUE"]
    return totals


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        ("2019", 22_102),
        ("2021", 133_726),
        ("2022", 248_284),
        ("2023", 520_085),
        ("2024", 302_203),
        ("2025", 2_904),
    ],
)
def test_darien_annual_totals_match_the_snm_figures(table, year, expected):
    assert sum_by_year(by_nationality(table))[year] == expected


def test_darien_totals_by_year_equal_the_raw_file(table):
    raw: Counter = Counter()
    for row in raw_rows(NATIONALITY_FILE):
        raw[row["t"][:4]] += int(row["n"])
    assert sum_by_year(by_nationality(table)) == raw


def test_darien_2023_venezuelans_match_the_source(table):
    venezuela = [r for r in by_nationality(table) if r["CITIZENSHIP"] == "VEN" and r["TIME_PERIOD"][:4] == "2023"]
    raw = sum(int(r["n"]) for r in raw_rows(NATIONALITY_FILE) if r["nat"] == "VEN" and r["t"][:4] == "2023")
    assert sum(r["OBS_VALUE"] for r in venezuela) == raw == 328_650
    assert len(venezuela) == 12


def test_darien_years_to_2019_are_annual_and_later_years_monthly(table):
    for row in by_nationality(table):
        if row["TIME_PERIOD"][:4] <= "2019":
            assert (row["FREQ"], len(row["TIME_PERIOD"])) == ("A", 4)
        else:
            assert (row["FREQ"], len(row["TIME_PERIOD"])) == ("M", 7)
    assert {"2015", "2023-07"} <= {r["TIME_PERIOD"] for r in by_nationality(table)}


def test_darien_demographic_monthly_totals_equal_the_nationality_totals(table):
    nationality: Counter = Counter()
    demography: Counter = Counter()
    for row in by_nationality(table):
        if row["FREQ"] == "M" and row["TIME_PERIOD"] >= "2021":
            nationality[row["TIME_PERIOD"]] += row["OBS_VALUE"]
    for row in by_sex_and_age(table):
        demography[row["TIME_PERIOD"]] += row["OBS_VALUE"]
    assert demography == nationality
    assert len(demography) == 52


def test_darien_men_and_women_are_all_ages_until_2022_and_adults_from_2023(table):
    coded = {(r["TIME_PERIOD"][:4], r["SEX"], r["AGE"], r["ACCOMPANIMENT"]) for r in by_sex_and_age(table)}
    assert ("2022", "M", "_T", "_T") in coded
    assert ("2022", "F", "_T", "_T") in coded
    assert not any(year <= "2022" and age != "_T" for year, _, age, _ in coded)
    assert {(sex, age, acc) for year, sex, age, acc in coded if year == "2023"} == {
        ("M", "Y_GE18", "_Z"),
        ("F", "Y_GE18", "_Z"),
        ("M", "Y_LT18", "_T"),
        ("F", "Y_LT18", "_T"),
    }


def test_darien_special_nationality_codes_become_platform_codes(table):
    citizenships = {r["CITIZENSHIP"] for r in by_nationality(table)}
    assert "_O" in citizenships and "OOO" not in citizenships
    assert {"TIB", "XKX"} <= citizenships


def test_darien_has_the_dataflow_columns_and_unique_keys(table):
    dataflow = load_standard().dataflows[PanamaDarien.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
    assert table.schema.field("OBS_VALUE").type == pa.float64()
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in rows_of(table)]
    assert len(keys) == len(set(keys))
    assert set(table.column("REF_AREA").to_pylist()) == {"PAN"}
    assert set(table.column("UNIT_MEASURE").to_pylist()) == {"PS"}


def test_darien_codes_are_in_their_codelists(table):
    standard = load_standard()
    dataflow = standard.dataflows[PanamaDarien.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id
    assert set(table.column("UNIT_MEASURE").to_pylist()) <= standard.codelists["CL_UNIT_MEASURE"].ids()


@pytest.mark.parametrize(("name", "column"), [(NATIONALITY_FILE, "nat"), (DEMOGRAPHY_FILE, "demog")])
def test_darien_file_without_a_column_is_rejected(tmp_path, name, column):
    copy_sources(tmp_path)
    rows = raw_rows(name)
    kept = [c for c in rows[0] if c != column]
    text = ",".join(kept) + "\n" + "".join(",".join(r[c] for c in kept) + "\n" for r in rows)
    write_gzip_text(tmp_path / name, text)
    with pytest.raises(SourceFormatError) as error:
        PanamaDarien().read(tmp_path)
    assert error.value.details["file"] == name
    assert error.value.details["column"] == column
    assert error.value.details["row"] == 1


@pytest.mark.parametrize("name", PanamaDarien.files)
def test_darien_latin1_file_is_rejected_at_its_row(tmp_path, name):
    copy_sources(tmp_path)
    lines = raw_text(name).splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + "ñ\n"
    write_gzip_text(tmp_path / name, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError) as error:
        PanamaDarien().read(tmp_path)
    assert error.value.details["file"] == name
    assert error.value.details["row"] == 3


@pytest.mark.parametrize("name", PanamaDarien.files)
def test_darien_empty_file_is_rejected(tmp_path, name):
    copy_sources(tmp_path)
    write_gzip_text(tmp_path / name, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        PanamaDarien().read(tmp_path)
    assert error.value.details["file"] == name


def test_darien_annual_row_not_dated_1_january_is_rejected(tmp_path):
    copy_sources(tmp_path)
    text = raw_text(NATIONALITY_FILE).replace("2015-01-01,2015-01-01", "2015-03-01,2015-01-01", 1)
    write_gzip_text(tmp_path / NATIONALITY_FILE, text)
    with pytest.raises(SourceFormatError, match="annual") as error:
        PanamaDarien().read(tmp_path)
    assert error.value.details["column"] == "t"


def test_darien_empty_count_is_rejected_at_its_row(tmp_path):
    copy_sources(tmp_path)
    lines = raw_text(DEMOGRAPHY_FILE).splitlines(keepends=True)
    lines[4] = lines[4][: lines[4].rindex(",") + 1] + "\n"
    write_gzip_text(tmp_path / DEMOGRAPHY_FILE, "".join(lines))
    with pytest.raises(SourceFormatError) as error:
        PanamaDarien().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        DEMOGRAPHY_FILE,
        5,
        "n",
    )


def test_darien_unknown_demographic_label_is_rejected_at_its_row(tmp_path):
    copy_sources(tmp_path)
    lines = raw_text(DEMOGRAPHY_FILE).splitlines(keepends=True)
    lines[3] = lines[3].replace(",women,", ",elderly,").replace(",men,", ",elderly,")
    write_gzip_text(tmp_path / DEMOGRAPHY_FILE, "".join(lines))
    with pytest.raises(SourceFormatError, match="elderly") as error:
        PanamaDarien().read(tmp_path)
    assert (error.value.details["row"], error.value.details["column"]) == (4, "demog")


def test_darien_nationality_that_is_not_iso3_is_rejected_at_its_row(tmp_path):
    copy_sources(tmp_path)
    lines = raw_text(NATIONALITY_FILE).splitlines(keepends=True)
    lines[1] = lines[1].replace(",CUB,", ",Cuba,")
    write_gzip_text(tmp_path / NATIONALITY_FILE, "".join(lines))
    with pytest.raises(SourceFormatError) as error:
        PanamaDarien().read(tmp_path)
    assert (error.value.details["row"], error.value.details["column"]) == (2, "nat")
