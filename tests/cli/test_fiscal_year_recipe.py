"""A fiscal-year total is published as an SDMX reporting period, never as a calendar year: the installed
``pivgm`` submits CBP's southwest border file with a recipe that reads only the fiscal year, and the
published figure, its REPORTING_YEAR_START_DAY and the calendar queries are checked from outside."""

from __future__ import annotations

import csv
import functools
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from pivgm.platform import Platform
from pivgm.settings import Settings
from tests.backends import settings_for
from tests.cli.test_recipe_files import RECIPES, official
from tests.executable import run_pivgm
from tests.live import serving

pytestmark = pytest.mark.slow  # pivgm submit on a real file in a new process, and a real server

Runner = Callable[..., subprocess.CompletedProcess[str]]

# The shipped monthly recipe, read by fiscal year only: each fiscal year's rows add up to one figure.
FISCAL_YEAR_RECIPE = (RECIPES / "cbp_sbo_encounters.yaml").read_text(encoding="utf-8").replace(
    "columns: [Fiscal Year, Month (abbv)]", "column: Fiscal Year"
).replace("FREQ: M", "FREQ: A") + "aggregate: sum\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = settings_for(tmp_path_factory.mktemp("fiscal"))
    Platform.initialise(settings)
    return settings


@pytest.fixture(scope="module")
def pivgm(data_dir: Settings) -> Runner:
    return functools.partial(run_pivgm, data_dir, timeout=600)


@pytest.fixture(scope="module")
def fy2023(pivgm: Runner, tmp_path_factory: pytest.TempPathFactory) -> int:
    """Publishes the file by fiscal year; returns FY2023 as summed from the raw file."""
    folder = tmp_path_factory.mktemp("cbp")
    path = official("sbo-encounters-fy22-fy25-aug.csv", folder)
    with path.open(encoding="utf-8") as stream:
        total = sum(int(row["Encounter Count"]) for row in csv.DictReader(stream) if row["Fiscal Year"] == "2023")
    recipe = folder / "cbp_fiscal_years.yaml"
    recipe.write_text(FISCAL_YEAR_RECIPE, encoding="utf-8")
    result = pivgm("submit", str(path), "--flow", "DF_BORDER_ENCOUNTERS", "--provider", "US_CBP", "--recipe",
                   str(recipe), "--publish", "--override-reason", "test of fiscal years", "--lang", "en")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return total


def query(pivgm: Runner, *arguments: str) -> list[dict[str, Any]]:
    """Published rows as ``pivgm query --format json`` gives them (its CSV guards cells starting with -)."""
    result = pivgm("query", "DF_BORDER_ENCOUNTERS", "--format", "json", "--limit", "0", *arguments)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_fy2023_is_stored_as_reporting_year_2022_a1_starting_on_1_october(pivgm, fy2023):
    """CBP's FY2023 southwest border total, 2,475,669, is the reporting year 2022-A1 (October 2022 -
    September 2023) with REPORTING_YEAR_START_DAY --10-01. Fails if the dataflow does not declare the
    attribute (the start day is then dropped and the figure refused)."""
    assert fy2023 == 2_475_669
    rows = [r for r in query(pivgm) if r["TIME_PERIOD"] == "2022-A1"]
    assert sum(float(r["OBS_VALUE"]) for r in rows) == fy2023
    assert {r["REPORTING_YEAR_START_DAY"] for r in rows} == {"--10-01"}
    assert {r["FREQ"] for r in rows} == {"A"}


def test_the_fiscal_year_to_date_is_not_published_as_a_whole_year(pivgm, fy2023):
    """The file's "2025 (FYTD)" (October 2024 - August 2025) is left out of the fiscal-year reading: only the
    complete FY2022-FY2024 are published. Fails if year-to-date labels are read as whole fiscal years."""
    assert {r["TIME_PERIOD"] for r in query(pivgm)} == {"2021-A1", "2022-A1", "2023-A1"}


def test_a_calendar_2023_query_does_not_return_fy2023(pivgm, fy2023):
    """Periods filter by their first day: FY2023 starts on 2022-10-01, so ``--from 2023 --to 2023`` leaves it
    out, and no published period is the calendar year 2023. Fails if reporting periods are filtered by the
    year in their id (2022-A1 counted from 1 January)."""
    calendar_2023 = query(pivgm, "--from", "2023", "--to", "2023")
    assert "2022-A1" not in {r["TIME_PERIOD"] for r in calendar_2023}
    assert "2023" not in {r["TIME_PERIOD"] for r in query(pivgm)}
    fiscal_2023 = query(pivgm, "--from", "2022-10", "--to", "2022-10")
    assert sum(float(r["OBS_VALUE"]) for r in fiscal_2023 if r["TIME_PERIOD"] == "2022-A1") == fy2023


def test_sdmx_csv_and_its_schema_carry_the_start_day(data_dir, fy2023):
    """Over HTTP (uvicorn on loopback), SDMX-CSV gives the FY2023 rows with REPORTING_YEAR_START_DAY, and the
    flow's XML schema declares the attribute instead of prohibiting it. Fails if xml_schema.py prohibits
    REPORTING_YEAR_START_DAY on a structure that declares it."""
    with serving(data_dir) as base:
        answer = httpx.get(f"{base}/sdmx/rest/data/DF_BORDER_ENCOUNTERS/A.USA......", params={"format": "csvfile"},
                           timeout=60)  # fmt: skip
        schema = httpx.get(f"{base}/sdmx/rest/schema/dataflow/PIVGM/DF_BORDER_ENCOUNTERS", timeout=60)
    assert answer.status_code == 200, answer.text
    rows = [r for r in csv.DictReader(io.StringIO(answer.text)) if r["TIME_PERIOD"] == "2022-A1"]
    assert sum(float(r["OBS_VALUE"]) for r in rows) == fy2023
    assert {r["REPORTING_YEAR_START_DAY"] for r in rows} == {"--10-01"}
    assert schema.status_code == 200, schema.text
    assert 'name="REPORTING_YEAR_START_DAY" type="xs:gMonthDay" use="optional"' in schema.text
    assert "prohibited" not in schema.text.split('name="ObsType"', 1)[1].split("REPORTING_YEAR_START_DAY")[0][-80:]


def test_a_reporting_period_without_its_start_day_is_a_clear_error(pivgm, tmp_path: Path):
    """``2022-A1`` without REPORTING_YEAR_START_DAY is refused with the rule that says what to add (es/en).
    Fails if the reporting-period-without-start-day rule is removed."""
    path = tmp_path / "fy.csv"
    columns = ["FREQ", "REF_AREA", "CITIZENSHIP", "BORDER_COMPONENT", "BORDER_AREA", "LEGAL_AUTHORITY"]
    columns += ["ENCOUNTER_TYPE", "BORDER_DEMOGRAPHIC", "OBS_VALUE"]
    path.write_text(",".join([*columns, "TIME_PERIOD"]) + "\nA,USA,MEX,_T,_T,_T,_T,_T,10,2022-A1\n", encoding="utf-8")
    recipe = tmp_path / "sdmx_columns.yaml"  # the file's own SDMX columns, not the provider's saved recipe
    identity = ", ".join(f"{c}: {c}" for c in columns)
    recipe.write_text(
        "recipe: 1\ndataflow: DF_BORDER_ENCOUNTERS\nprovider: US_CBP\nperiod: {column: TIME_PERIOD}\n"
        f"columns: {{{identity}}}\n",
        encoding="utf-8",
    )
    for language, words in (("en", "needs the attribute REPORTING_YEAR_START_DAY"), ("es", "necesita el atributo")):
        result = pivgm("validate", str(path), "--flow", "DF_BORDER_ENCOUNTERS", "--provider", "US_CBP",
                       "--recipe", str(recipe), "--lang", language)  # fmt: skip
        assert result.returncode == 1, result.stdout + result.stderr
        assert "reporting-period-without-start-day" in result.stdout
        assert words in " ".join(result.stdout.split())
