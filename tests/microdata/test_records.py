"""Records as registers export them: banner lines, malformed lines, unreadable dates, birth dates, Spanish
and English country names, many files in a folder, text and Parquet; every record is aggregated or counted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.backends import settings_for
from tests.microdata.helpers import pivgm, read_submission

BANNER = '"Dirección de Migración"|||\n"Uso oficial"|||\n|||\n'
HEADER = "Fecha|Nacimiento|Sexo|Nacionalidad\n"
LINES = [
    "15/01/2020|02/03/2010|H|Guatemala",  # 9 years old
    "20/01/2020|01/01/1980|H|GUATEMALA",
    "31/01/2020|31/01/2002|M|Estados Unidos",  # 18 on the day
    "03/02/2020|04/02/2002|M|Honduras",  # 18 the next day
    "13/31/2020|01/01/1990|H|Honduras",  # unreadable date: month 31
    "05/02/2019|01/01/1990|H|Honduras",  # before the period
    "06/02/2020|(b)(6)|H|Honduras",  # redacted birth date
    "07/02/2020|01/01/1990|H|Atlántida",  # not a country
    "08/02/2020|01/01/1990|X|Honduras",  # sex not in the recipe
    "09/02/2020|01/01/1990|H|Honduras|extra",  # malformed: five fields
]
RECIPE = """
recipe: 1
dataflow: DF_RETURNS
read: {delimiter: "|"}
period: {column: Fecha, dates: dmy, frequency: M, from: 2020-01, to: 2020-12}
columns: {CITIZENSHIP: Nacionalidad, SEX: Sexo}
age: {birth_date: Nacimiento, dates: dmy, groups: [Y_LT18, Y_GE18]}
values: {SEX: {H: M, M: F}}
constants: {FREQ: M, REF_AREA: MEX, RETURN_DIRECTION: EXEC, COUNTERPART_AREA: _Z, ACCOMPANIMENT: _T,
            RETURN_TYPE: DEP, UNIT_MEASURE: PS}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    records = tmp_path / "registro"
    records.mkdir()
    (records / "enero.csv").write_text(BANNER + HEADER + "\n".join(LINES) + "\n", encoding="utf-8")
    parquet = {"Fecha": ["10/03/2020", "11/03/2020"], "Nacimiento": ["01/01/2015", "01/01/1970"]}
    parquet |= {"Sexo": ["M", "M"], "Nacionalidad": ["El Salvador", "El Salvador"], "Otro": ["a", "b"]}
    pq.write_table(pa.table(parquet), records / "marzo.parquet")
    (tmp_path / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    (tmp_path / "none.yaml").write_text("protection: 1\ndefault: {method: none}\n", encoding="utf-8")
    return tmp_path


def _aggregate(folder: Path, *extra: str) -> tuple[int, list[dict[str, str]], dict[str, object], str]:
    settings = settings_for(folder / "data")
    result = pivgm(
        settings, "aggregate", "--flow", "DF_RETURNS", "--provider", "MX_UPM", "--input", str(folder / "registro"),
        "--recipe", str(folder / "recipe.yaml"), "--out", str(folder / "out.csv"), "--report", str(folder / "r.json"),
        *extra,
    )  # fmt: skip
    if result.returncode:
        return result.returncode, [], {}, result.stderr
    report = json.loads((folder / "r.json").read_text(encoding="utf-8"))
    return 0, read_submission(folder / "out.csv"), report, result.stderr


def test_every_record_is_aggregated_or_counted_by_reason(folder):
    """Fails if a malformed line, an unreadable date or a redacted birth date is dropped without a count."""
    code, _, report, stderr = _aggregate(folder, "--protection", str(folder / "none.yaml"))
    assert code == 0, stderr
    assert report["unmapped"] == {
        "date-outside-period": 1,
        "malformed-line": 1,
        "unknown-citizenship": 1,
        "unknown-sex": 1,
        "unreadable-birth-date": 1,
        "unreadable-date": 1,
    }
    assert report["records"] == len(LINES) + 2
    assert report["aggregated"] == 6
    assert "malformed-line" in stderr and "unreadable-birth-date" in stderr


def test_birth_dates_become_age_groups_and_names_become_codes(folder):
    """Fails if age is computed without the birthday in the event year, or totals miss a dimension."""
    code, rows, _, stderr = _aggregate(folder, "--protection", str(folder / "none.yaml"))
    assert code == 0, stderr
    cells = {(r["CITIZENSHIP"], r["SEX"], r["AGE"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in rows}
    assert cells[("GTM", "M", "Y_LT18", "2020-01")] == "1"
    assert cells[("GTM", "M", "Y_GE18", "2020-01")] == "1"
    assert cells[("USA", "F", "Y_GE18", "2020-01")] == "1"  # 18 on the day of the event
    assert cells[("HND", "F", "Y_LT18", "2020-02")] == "1"  # one day short of 18
    assert cells[("SLV", "F", "_T", "2020-03")] == "2"  # from the Parquet file
    assert cells[("_T", "_T", "_T", "2020-01")] == "3"
    assert cells[("_T", "_T", "Y_GE18", "2020-01")] == "2"
    assert {r["CONF_STATUS"] for r in rows} == {"F"}
    assert {r["REF_AREA"] for r in rows} == {"MEX"}


def test_typed_dates_give_ages_across_29_february(tmp_path):
    """Fails if a person born on 29 February is 18 before 1 March of a common year, or if on 29 February of a
    leap year someone born on 1 March 18 years earlier counts as 18 (typed Parquet dates, read once per day)."""
    (tmp_path / "registro").mkdir()
    events = [date(2022, 2, 28), date(2022, 3, 1), date(2024, 2, 29), date(2024, 2, 29)]
    births = [date(2004, 2, 29), date(2004, 2, 29), date(2006, 3, 1), date(2006, 2, 28)]
    table = {"Fecha": pa.array(events, pa.date32()), "Nacimiento": pa.array(births, pa.date32())}
    table |= {"Sexo": ["H"] * 4, "Nacionalidad": ["Honduras"] * 4}
    pq.write_table(pa.table(table), tmp_path / "registro" / "typed.parquet")
    recipe = RECIPE.replace(", from: 2020-01, to: 2020-12", "")
    (tmp_path / "recipe.yaml").write_text(recipe, encoding="utf-8")
    (tmp_path / "none.yaml").write_text("protection: 1\ndefault: {method: none}\n", encoding="utf-8")
    code, rows, _, stderr = _aggregate(tmp_path, "--protection", str(tmp_path / "none.yaml"))
    assert code == 0, stderr
    finest = [r for r in rows if r["SEX"] == "M" and r["CITIZENSHIP"] == "HND"]
    cells = {(r["AGE"], r["TIME_PERIOD"]): r["OBS_VALUE"] for r in finest}
    assert cells[("Y_LT18", "2022-02")] == "1" and ("Y_GE18", "2022-02") not in cells
    assert cells[("Y_GE18", "2022-03")] == "1" and ("Y_LT18", "2022-03") not in cells
    assert cells[("Y_LT18", "2024-02")] == "1" and cells[("Y_GE18", "2024-02")] == "1"


def test_small_cells_are_protected_by_default(folder):
    code, rows, report, stderr = _aggregate(folder)
    assert code == 0, stderr
    published = [r for r in rows if r["CONF_STATUS"] == "F"]
    assert published and all(int(r["OBS_VALUE"]) >= 3 for r in published)
    assert all(r["OBS_VALUE"] == "" for r in rows if r["CONF_STATUS"] in ("C", "D"))
    primary = sum(r["CONF_STATUS"] == "C" for r in rows)
    assert report["protection"]["primary"]["fewer than 3 records"] == primary > len(rows) / 2


def test_fiscal_years_are_named_by_the_year_they_end(folder):
    recipe = folder / "recipe.yaml"
    text = recipe.read_text(encoding="utf-8")
    text = text.replace("frequency: M, from: 2020-01, to: 2020-12", "frequency: A, fiscal_year_start: 2")
    recipe.write_text(text.replace("FREQ: M", "FREQ: A"), encoding="utf-8")
    code, rows, _, stderr = _aggregate(folder, "--protection", str(folder / "none.yaml"))
    assert code == 0, stderr
    totals = {r["TIME_PERIOD"]: r["OBS_VALUE"] for r in rows if (r["CITIZENSHIP"], r["SEX"], r["AGE"]) == ("_T",) * 3}
    assert totals == {"2020": "4", "2021": "3"}  # FY2020: February 2019 to January 2020
    assert all("Fiscal year from month 2" in r["OBS_COMMENT"] for r in rows)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("CITIZENSHIP: Nacionalidad", "CITIZENSHIP: Pais"), "no header line with the fields"),
        (("dates: dmy, frequency", "dates: dym, frequency"), "period.dates: 'dym' is not one of"),
        (("Y_LT18, Y_GE18", "Y_LT18, ADULTS"), "'ADULTS' is not an age range code of CL_AGE"),
        (("REF_AREA: MEX", "REF_AREA: XYZ"), "'XYZ' is not a code of CL_AREA"),
    ],
)
def test_bad_recipes_and_files_get_a_clear_error_and_no_output(folder, change, message):
    recipe = folder / "recipe.yaml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    code, _, _, stderr = _aggregate(folder)
    assert code != 0
    assert message in " ".join(stderr.split())
    assert not (folder / "out.csv").exists()


def test_submit_loads_the_protected_table_with_its_confidential_rows(folder):
    """Fails if --submit writes the file but does not load it, or loads it without its confidential rows."""
    result = pivgm(
        settings_for(folder / "data"), "aggregate", "--flow", "DF_RETURNS", "--provider", "MX_UPM",
        "--input", str(folder / "registro"), "--recipe", str(folder / "recipe.yaml"), "--out", str(folder / "o.csv"),
        "--submit", "--lang", "en",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = read_submission(folder / "o.csv")
    confidential = sum(r["CONF_STATUS"] in ("C", "D") for r in rows)
    output = " ".join((result.stdout + result.stderr).split())
    assert f"o.csv -> DF_RETURNS: {len(rows)} rows, 0 error(s)" in output
    assert f"{confidential} confidential row(s)" in output and confidential > 0
    assert "loaded as version 1" in output
