"""CBP southwest border importer: reproduces CBP fiscal-year totals, codes every row, rejects bad files."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from pivgm.errors import SourceFormatError
from pivgm.sources.base import VENDORED_DIR
from pivgm.sources.us_cbp_encounters import UsCbpEncounters
from pivgm.structures import load_standard

FILE = "cbp_swb_encounters_by_nationality_fy2018-2025.csv.gz"


def raw_rows() -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / FILE, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def raw_text() -> str:
    with gzip.open(VENDORED_DIR / FILE, "rt", encoding="utf-8", newline="") as f:
        return f.read()


def write_gzip_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with gzip.open(path, "wb") as f:
        f.write(text.encode(encoding))


def fiscal_year(month: str) -> int:
    """US federal fiscal year of a calendar month ``YYYY-MM``: October starts the next fiscal year."""
    year, number = int(month[:4]), int(month[5:7])
    return year + 1 if number >= 10 else year


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return UsCbpEncounters().read()


def fiscal_totals(table: pa.Table, citizenship: str | None = None) -> Counter:
    totals: Counter = Counter()
    for row in table.to_pylist():
        if citizenship is None or row["CITIZENSHIP"] == citizenship:
            totals[fiscal_year(row["TIME_PERIOD"])] += row["OBS_VALUE"]
    return totals


def raw_fiscal_totals(citizenship: str | None = None) -> Counter:
    """From the raw file's own fiscal-year column ``t_fy``, independently of the importer."""
    totals: Counter = Counter()
    for row in raw_rows():
        if citizenship is None or row["nat"] == citizenship:
            totals[int(row["t_fy"][:4])] += int(row["n"])
    return totals


@pytest.mark.parametrize(
    ("year", "expected"), [(2019, 977_509), (2022, 2_378_944), (2023, 2_475_669), (2024, 2_135_005)]
)
def test_cbp_fiscal_year_totals_match_the_published_figures(table, year, expected):
    assert fiscal_totals(table)[year] == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("MEX", 717_333),
        ("VEN", 266_071),
        ("GTM", 220_085),
        ("HND", 213_686),
        ("COL", 159_536),
        ("CUB", 142_352),
    ],
)
def test_cbp_fy2023_totals_by_citizenship_match_the_published_figures(table, code, expected):
    assert fiscal_totals(table, code)[2023] == expected


def test_cbp_fiscal_year_totals_equal_the_raw_file(table):
    assert fiscal_totals(table) == raw_fiscal_totals()
    assert fiscal_totals(table, "MEX") == raw_fiscal_totals("MEX")


def test_cbp_time_period_is_the_calendar_month(table):
    periods = table.column("TIME_PERIOD").to_pylist()
    assert periods == [row["t"][:7] for row in raw_rows()]
    assert (min(periods), max(periods)) == ("2017-10", "2025-05")


def test_cbp_rows_before_october_2019_are_totals_over_citizenship_and_area(table):
    early = [r for r in table.to_pylist() if r["TIME_PERIOD"] < "2019-10"]
    assert len(early) == 156
    assert {(r["CITIZENSHIP"], r["BORDER_AREA"]) for r in early} == {("_T", "_T")}
    later = [r for r in table.to_pylist() if r["TIME_PERIOD"] >= "2019-10"]
    assert not [r for r in later if "_T" in (r["CITIZENSHIP"], r["BORDER_AREA"])]


def test_cbp_other_citizenships_become_the_other_code(table):
    citizenships = set(table.column("CITIZENSHIP").to_pylist())
    assert "_O" in citizenships and "OOO" not in citizenships
    raw_other = sum(int(r["n"]) for r in raw_rows() if r["nat"] == "OOO")
    assert sum(r["OBS_VALUE"] for r in table.to_pylist() if r["CITIZENSHIP"] == "_O") == raw_other


def test_cbp_labels_become_codes(table):
    combinations = {(r["BORDER_COMPONENT"], r["LEGAL_AUTHORITY"], r["ENCOUNTER_TYPE"]) for r in table.to_pylist()}
    assert combinations == {
        ("USBP", "T8", "APP"),
        ("OFO", "T8", "INA"),
        ("USBP", "T42", "EXP"),
        ("OFO", "T42", "EXP"),
    }
    assert set(table.column("BORDER_DEMOGRAPHIC").to_pylist()) == {"SA", "FMUA", "UAC", "UC", "AM"}
    assert {"RGV", "SDC", "FO_SAN"} <= set(table.column("BORDER_AREA").to_pylist())


def test_cbp_has_the_dataflow_columns_and_unique_keys(table):
    dataflow = load_standard().dataflows[UsCbpEncounters.dataflow_id]
    dimensions = list(dataflow.structure.dimension_ids)
    assert table.column_names == [*dimensions, "TIME_PERIOD", "OBS_VALUE"]
    assert table.column("OBS_VALUE").null_count == 0
    keys = [tuple(r[c] for c in [*dimensions, "TIME_PERIOD"]) for r in table.to_pylist()]
    assert len(keys) == len(set(keys))
    assert dataflow.defaults["UNIT_MEASURE"] == "EVENTS"


def test_cbp_codes_are_in_their_codelists(table):
    dataflow = load_standard().dataflows[UsCbpEncounters.dataflow_id]
    for dimension in dataflow.structure.dimensions:
        assert dimension.codelist is not None, dimension.id
        assert set(table.column(dimension.id).to_pylist()) <= dimension.codelist.ids(), dimension.id


def test_cbp_every_southwest_border_area_code_is_used_and_allowed(table):
    """The southwest border file uses every code of the flow's southwest-border areas, never NATIONWIDE."""
    dataflow = load_standard().dataflows[UsCbpEncounters.dataflow_id]
    codelist = load_standard().codelists["CL_BORDER_AREA"]
    used = set(table.column("BORDER_AREA").to_pylist())
    assert used == dataflow.constraints["BORDER_AREA"] == codelist.ids() - {"NATIONWIDE"}


def test_cbp_file_without_a_column_is_rejected(tmp_path):
    kept = ["t", "t_fy", "component", "area", "authority", "type", "nat", "n"]
    text = ",".join(kept) + "\n" + "".join(",".join(r[c] for c in kept) + "\n" for r in raw_rows())
    write_gzip_text(tmp_path / FILE, text)
    with pytest.raises(SourceFormatError) as error:
        UsCbpEncounters().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"], error.value.details["column"]) == (
        FILE,
        1,
        "demog",
    )


def test_cbp_latin1_file_is_rejected_at_its_row(tmp_path):
    lines = raw_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("U.S. Border Patrol", "Patrulla Fronteriza de EE. UU. ñ")
    write_gzip_text(tmp_path / FILE, "".join(lines), encoding="latin-1")
    with pytest.raises(SourceFormatError) as error:
        UsCbpEncounters().read(tmp_path)
    assert (error.value.details["file"], error.value.details["row"]) == (FILE, 3)


def test_cbp_empty_file_is_rejected(tmp_path):
    write_gzip_text(tmp_path / FILE, "")
    with pytest.raises(SourceFormatError, match="empty") as error:
        UsCbpEncounters().read(tmp_path)
    assert error.value.details["file"] == FILE


def test_cbp_unknown_area_is_rejected_at_its_row(tmp_path):
    lines = raw_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "Yuma Sector" in line)
    lines[index] = lines[index].replace("Yuma Sector", "Swanton Sector")
    write_gzip_text(tmp_path / FILE, "".join(lines))
    with pytest.raises(SourceFormatError, match="Swanton") as error:
        UsCbpEncounters().read(tmp_path)
    assert (error.value.details["row"], error.value.details["column"]) == (index + 1, "area")
