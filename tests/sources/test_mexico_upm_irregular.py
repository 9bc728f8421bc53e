"""Mexico UPM irregular-situation importer: reproduces UPM totals, codes every row, rejects bad files."""

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
from pivgm.sources.mexico_upm_irregular import MexicoUpmIrregular
from pivgm.structures import load_standard

NATIONALITY_FILE = "irreg_mexico_nat.csv.gz"
DEMOGRAPHY_FILE = "irreg_mexico_dmg.csv.gz"


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
    for name in MexicoUpmIrregular.files:
        shutil.copy(VENDORED_DIR / name, target / name)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return MexicoUpmIrregular().read()


def by_nationality(table: pa.Table) -> list[dict]:
    return [r for r in table.to_pylist() if r["CITIZENSHIP"] != "_T"]


def by_sex_and_age(table: pa.Table) -> list[dict]:
    return [r for r in table.to_pylist() if r["CITIZENSHIP"] == "_T"]


def sum_by_year(rows: list[dict]) -> Counter:
    totals: Counter = Counter()
    for row in rows:
        totals[row["TIME_PERIOD"][:4]] += row["OBS_VALUE"]
    return totals


@pytest.mark.parametrize(
    ("year", "expected"), [("2021", 309_692), ("2022", 441_409), ("2023", 778_907), ("2024", 1_231_320)]
)
def test_mexico_annual_events_by_nationality_match_the_upm_figures(table, year, expected):
    assert sum_by_year(by_nationality(table))[year] == expected


def test_mexico_2024_events_by_sex_and_age_keep_the_source_difference(table):
    assert sum_by_year(by_sex_and_age(table))["2024"] == 1_230_126


def test_mexico_totals_by_year_equal_the_raw_files(table):
    for name, rows in ((NATIONALITY_FILE, by_nationality(table)), (DEMOGRAPHY_FILE, by_sex_and_age(table))):
        raw: Counter = Counter()
        for row in raw_rows(name):
            raw[row["t"][:4]] += int(row["n"])
        assert sum_by_year(rows) == raw, name


def test_mexico_rows_sharing_a_nationality_code_are_added_up(table):
    raw: Counter = Counter()
    for row in raw_rows(NATIONALITY_FILE):
        raw[(row["t"][:7], {"OOO": "_O", "STL": "XXA"}.get(row["nat"], row["nat"]))] += int(row["n"])
    output = {(r["TIME_PERIOD"], r["CITIZENSHIP"]): r["OBS_VALUE"] for r in by_nationality(table)}
    assert output == raw
    assert output[("2023-03", "GIN")] == 4 + 253 + 9


def test_mexico_age_groups_carry_age_and_accompaniment(table):
    coded = Counter((r["SEX"], r["AGE"], r["ACCOMPANIMENT"]) for r in by_sex_and_age(table))
    assert set(coded) == {
        (sex, age, acc)
        for sex in ("M", "F")
        for age, acc in (("Y_GE18", "_Z"), ("Y12T17", "_T"), ("Y_LT12", "ACC"), ("Y_LT12", "UNA"))
    }
    assert set(coded.values()) == {88}


def test_mexico_has_the_dataflow_columns_and_unique_keys(table):
    dataflow = load_standard().dataflows[MexicoUpmIrregular.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE"]
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in table.to_pylist()]
    assert len(keys) == len(set(keys))
    assert set(table.column("REF_AREA").to_pylist()) == {"MEX"}
    assert set(table.column("UNIT_MEASURE").to_pylist()) == {"EVENTS"}


def test_mexico_codes_are_in_their_codelists(table):
    standard = load_standard()
    dataflow = standard.dataflows[MexicoUpmIrregular.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id
    assert set(table.column("UNIT_MEASURE").to_pylist()) <= standard.codelists["CL_UNIT_MEASURE"].ids()


@pytest.mark.parametrize(("name", "column"), [(NATIONALITY_FILE, "nat"), (DEMOGRAPHY_FILE, "age")])
def test_mexico_file_without_a_column_is_rejected(tmp_path, name, column):
    copy_sources(tmp_path)
    rows = raw_rows(name)
    kept = [c for c in rows[0] if c != column]
    text = ",".join(kept) + "\n" + "".join(",".join(f'"{r[c]}"' for c in kept) + "\n" for r in rows)
    write_gzip_text(tmp_path / name, text)
    with pytest.raises(SourceFormatError) as error:
        MexicoUpmIrregular().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        name,
        1,
        column,
    )


@pytest.mark.parametrize("name", MexicoUpmIrregular.files)
def test_mexico_latin1_file_is_rejected_at_its_row(tmp_path, name):
    copy_sources(tmp_path)
    lines = raw_text(name).splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + "ñ\n"
    write_gzip_text(tmp_path / name, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError) as error:
        MexicoUpmIrregular().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (name, 3)


@pytest.mark.parametrize("name", MexicoUpmIrregular.files)
def test_mexico_empty_file_is_rejected(tmp_path, name):
    copy_sources(tmp_path)
    write_gzip_text(tmp_path / name, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        MexicoUpmIrregular().read(tmp_path)
    assert error.value.details["file"] == name


def test_mexico_unknown_age_group_is_rejected_at_its_row(tmp_path):
    copy_sources(tmp_path)
    lines = raw_text(DEMOGRAPHY_FILE).splitlines(keepends=True)
    lines[2] = lines[2].replace(",18+,", ",65+,")
    write_gzip_text(tmp_path / DEMOGRAPHY_FILE, "".join(lines))
    with pytest.raises(SourceFormatError, match="65") as error:
        MexicoUpmIrregular().read(tmp_path)
    assert (error.value.details["row"], error.value.details["column"]) == (3, "age")
