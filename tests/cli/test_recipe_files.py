"""Official files no importer reads load through a recipe only: the installed ``pivgm`` submits each with
the shipped recipe, publishes it, and the published figures equal the ones computed here from the raw file."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlrd

from pivgm.ingest.recipes import parse_recipe
from pivgm.platform import Platform
from pivgm.settings import Settings
from tests.backends import settings_for
from tests.executable import run_pivgm

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "pivgm" / "ingest" / "recipes" / "library"
SPECIMENS = ROOT / "tests" / "ingest" / "specimens"
pytestmark = pytest.mark.slow  # each test runs pivgm submit on a real file in a new process

Runner = Callable[..., subprocess.CompletedProcess[str]]


def official(name: str, folder: Path) -> Path:
    """A specimen under ``official/`` unpacked into ``folder`` (they are stored gzip-compressed)."""
    target = folder / name
    if not target.exists():
        target.write_bytes(gzip.decompress((SPECIMENS / "official" / f"{name}.gz").read_bytes()))
    return target


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = settings_for(tmp_path_factory.mktemp("recipes"))
    Platform.initialise(settings)
    return settings


@pytest.fixture(scope="module")
def pivgm(data_dir: Settings) -> Runner:
    return functools.partial(run_pivgm, data_dir, timeout=600)


def published(pivgm: Runner, flow: str, *filters: str) -> list[dict[str, str]]:
    """The published rows of ``flow`` (``DIMENSION=CODE`` filters), as ``pivgm query`` writes them."""
    arguments = ["query", flow, "--format", "csv", "--limit", "10000000"]
    for item in filters:
        arguments += ["-f", item]
    result = pivgm(*arguments)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def submit(pivgm: Runner, path: Path, flow: str, provider: str, recipe: str) -> str:
    result = pivgm("submit", str(path), "--flow", flow, "--provider", provider, "--recipe", str(RECIPES / recipe),
                   "--publish", "--override-reason", "test of a shipped recipe", "--lang", "en")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Recipe '{recipe}'" in result.stdout  # the report says which recipe was applied
    return result.stdout


def test_cbp_southwest_border_workbook_export_loads_by_fiscal_year_month(pivgm, tmp_path):
    """FY2023 (October 2022 - September 2023) sums to the raw file's FY2023 rows, 2,475,669 as CBP
    published; October of FY2023 is stored as calendar 2022-10, never under 2023."""
    path = official("sbo-encounters-fy22-fy25-aug.csv", tmp_path)
    with path.open(encoding="utf-8") as stream:
        raw = list(csv.DictReader(stream))
    fy2023 = sum(int(row["Encounter Count"]) for row in raw if row["Fiscal Year"] == "2023")
    october = sum(
        int(row["Encounter Count"])
        for row in raw
        if row["Fiscal Year"] == "2023" and row["Month (abbv)"] == "OCT" and row["Citizenship Grouping"] == "Mexico"
    )
    assert fy2023 == 2_475_669
    submit(pivgm, path, "DF_BORDER_ENCOUNTERS", "US_CBP", "cbp_sbo_encounters.yaml")
    rows = published(pivgm, "DF_BORDER_ENCOUNTERS", "REF_AREA=USA")
    months = {f"2022-{m:02d}" for m in (10, 11, 12)} | {f"2023-{m:02d}" for m in range(1, 10)}
    assert sum(float(r["OBS_VALUE"]) for r in rows if r["TIME_PERIOD"] in months) == fy2023
    mexico_october = [r for r in rows if r["TIME_PERIOD"] == "2022-10" and r["CITIZENSHIP"] == "MEX"]
    assert sum(float(r["OBS_VALUE"]) for r in mexico_october) == october
    assert {r["BORDER_AREA"] for r in rows} == {"_T"}


def _inec_total(path: Path) -> dict[str, int]:
    """Header label of each "Total" column -> the TOTAL row's figure, read straight from the workbook."""
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    else:
        book = xlrd.open_workbook(str(path))
        sheet = book.sheet_by_index(0)
        grid = [sheet.row_values(i) for i in range(sheet.nrows)]
    months = next(row for row in grid if any(isinstance(c, str) and c.strip().startswith("Agosto") for c in row))
    total = next(row for row in grid if isinstance(row[0], str) and row[0].strip().startswith("TOTAL"))
    return {str(months[c]).strip(): int(total[c]) for c in range(1, len(months)) if months[c]}


@pytest.mark.parametrize("name", ["INEC_Panama_EML_Cuadro2_oct2024.xlsx", "INEC_Panama_EML_Cuadro441-02_ago2016.xls"])
def test_inec_panama_labour_market_tables_load_with_one_recipe(pivgm, name):
    """The same recipe reads the 2024 .xlsx and the 2016 .xls; the national population aged 15 and over
    equals the workbook's TOTAL row (October 2024: 3,358,667)."""
    path = SPECIMENS / "messy" / name
    expected = _inec_total(path)
    submit(pivgm, path, "DF_SOCIOECONOMIC", "PA_INEC", "inec_panama_eml_cuadro2.yaml")
    rows = published(pivgm, "DF_SOCIOECONOMIC", "REF_AREA=PAN", "INDICATOR=POP_15PLUS_LFS")
    months = {"Agosto": "08", "Octubre": "10"}
    for label, figure in expected.items():
        month, year = label.split()
        period = f"{year}-{months[month]}"
        assert [float(r["OBS_VALUE"]) for r in rows if r["TIME_PERIOD"] == period] == [figure]
    if name.endswith(".xlsx"):
        assert expected["Octubre 2024"] == 3_358_667


def test_undesa_2019_wide_matrix_loads_without_its_aggregate_headings(pivgm, tmp_path):
    """Nicaraguans in Costa Rica 2019 equal the matrix cell (296,541); heading rows such as "UN development
    groups" and the repeated SDG-region rows are filtered out by the recipe, not by code."""
    path = official("ims2019_wide_matrix_total_DiTo97.csv", tmp_path)
    with path.open(encoding="utf-8") as stream:
        raw = list(csv.DictReader(stream))
    cell = next(int(r["Nicaragua"]) for r in raw if r["Year"] == "2019" and r["Destination"] == "Costa Rica")
    world_mexico = next(int(r["Mexico"]) for r in raw if r["Year"] == "1990" and r["Destination"] == "WORLD")
    assert cell == 296_541
    submit(pivgm, path, "DF_MIG_STOCK", "UNDESA", "undesa_ims2019_wide_matrix.yaml")
    rows = published(pivgm, "DF_MIG_STOCK", "REF_AREA=CRI+WLD", "COUNTERPART_AREA=NIC+MEX")
    values = {(r["REF_AREA"], r["COUNTERPART_AREA"], r["TIME_PERIOD"]): float(r["OBS_VALUE"]) for r in rows}
    assert values[("CRI", "NIC", "2019")] == cell
    assert values[("WLD", "MEX", "1990")] == world_mexico


def test_a_recipe_naming_a_missing_column_is_refused_before_anything_is_recorded(pivgm, data_dir, tmp_path):
    """Exit code 2 and the recipe line; no submission is recorded. Fails if ``need_column`` is skipped."""
    recipe = tmp_path / "broken.yaml"
    text = (RECIPES / "cbp_sbo_encounters.yaml").read_text(encoding="utf-8")
    recipe.write_text(text.replace("Citizenship Grouping", "Citizenship Group"), encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "Citizenship Grouping" in t)
    before = Platform.open(data_dir).submissions.count()
    path = official("sbo-encounters-fy22-fy25-aug.csv", tmp_path)
    result = pivgm("submit", str(path), "--flow", "DF_BORDER_ENCOUNTERS", "--provider", "US_CBP",
                   "--recipe", str(recipe))  # fmt: skip
    assert result.returncode == 2
    said = " ".join(result.stderr.split())  # in Spanish: --lang defaults to es
    assert f"broken.yaml, línea {line}: 'Citizenship Group' no es una columna" in said
    assert Platform.open(data_dir).submissions.count() == before


def test_suggest_writes_an_editable_recipe_that_asks_which_column_is_the_value(pivgm, tmp_path):
    """Several count columns could be the value: the recipe lists them with reasons and chooses none (fails
    if ``_ambiguous`` is removed: "Number of Survivors" was taken). The output parses as a recipe."""
    path = official("MissingMigrants-Global-2019-10-29T14-11-50.csv", tmp_path)
    result = pivgm("suggest", str(path), "--flow", "DF_MISSING_MIGRANTS", "--provider", "IOM_MMP")
    assert result.returncode == 0, result.stderr
    recipe = parse_recipe(result.stdout, "suggested.yaml")
    assert "OBS_VALUE" not in recipe.data["columns"]
    choices = [line for line in result.stdout.splitlines() if line.strip().startswith('# OBS_VALUE: "')]
    assert {line.split('"')[1] for line in choices} >= {"Number Dead", "Total Dead and Missing", "Number of Survivors"}
    assert all("cells are numbers" in line for line in choices)
    assert '#   "Reported Date": "October 28, 2019"' in result.stdout  # each column's first values


def test_a_suggested_recipe_for_a_workbook_validates_as_it_is(pivgm, tmp_path):
    """``pivgm suggest ... > recipe.yaml`` then ``pivgm validate --recipe recipe.yaml``: a report, not a crash."""
    path = SPECIMENS / "messy" / "INEC_Panama_EML_Cuadro2_oct2024.xlsx"
    result = pivgm("suggest", str(path), "--flow", "DF_SOCIOECONOMIC", "--provider", "PA_INEC")
    assert result.returncode == 0, result.stderr
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(result.stdout, encoding="utf-8")
    assert "unpivot:" in result.stdout
    checked = pivgm("validate", str(path), "--flow", "DF_SOCIOECONOMIC", "--provider", "PA_INEC",
                    "--recipe", str(recipe), "--lang", "en")  # fmt: skip
    assert checked.returncode in (0, 1), checked.stderr
    assert "Recipe 'recipe.yaml'" in checked.stdout


def test_the_2019_missing_migrants_export_loads_by_month_with_computed_values(pivgm, tmp_path):
    """Dead + missing (a computed sum) added up by month, country, route and cause: the published total for
    the Americas equals the raw file's "Total Dead and Missing" over the same rows, and so does each month."""
    path = official("MissingMigrants-Global-2019-10-29T14-11-50.csv", tmp_path)
    regions = {"US-Mexico Border", "North America", "Central America", "Caribbean", "South America"}
    with path.open(encoding="utf-8") as stream:
        raw = [r for r in csv.DictReader(stream) if r["Region of Incident"] in regions]
    total = sum(int(r["Total Dead and Missing"] or 0) for r in raw)
    october = sum(
        int(r["Total Dead and Missing"] or 0)
        for r in raw
        if (r["Reported Year"], r["Reported Month"]) == ("2019", "Oct")
    )
    submit(pivgm, path, "DF_MISSING_MIGRANTS", "IOM_MMP", "iom_missing_migrants_2019_export.yaml")
    rows = published(pivgm, "DF_MISSING_MIGRANTS")
    assert sum(float(r["OBS_VALUE"]) for r in rows) == total
    assert sum(float(r["OBS_VALUE"]) for r in rows if r["TIME_PERIOD"] == "2019-10") == october
    assert {r["MIGRATION_ROUTE"] for r in rows} == {"CAM_ROUTE", "_U"}


def test_iom_missing_migrants_2024_export_loads_with_the_newer_schema(tmp_path):
    """The November 2024 export (new column names, English month names, IOM's cause categories, a country
    column matched by name): the published dead and missing equal the file's "Total Number of Dead and
    Missing", without the partial November 2024 (the export ends on the 15th); Panama 2023: 93."""
    path = official("mmp_americas_2014-2024.csv", tmp_path)
    with path.open(encoding="utf-8") as stream:
        raw = [row for row in csv.DictReader(stream) if not row["Incident Date"].startswith("2024-11")]
    total = sum(int(row["Total Number of Dead and Missing"] or 0) for row in raw)
    panama = sum(
        int(row["Total Number of Dead and Missing"] or 0)
        for row in raw
        if row["Country of Incident"] == "Panama" and row["Incident Year"] == "2023"
    )
    assert (total, panama) == (9_853, 93)
    settings = settings_for(tmp_path / "own")  # its own platform: the 2019 export publishes the same flow
    Platform.initialise(settings)
    pivgm = functools.partial(run_pivgm, settings, timeout=600)
    submit(pivgm, path, "DF_MISSING_MIGRANTS", "IOM_MMP", "iom_missing_migrants_2024_export.yaml")
    rows = published(pivgm, "DF_MISSING_MIGRANTS")
    assert sum(float(r["OBS_VALUE"]) for r in rows) == total
    assert (
        sum(float(r["OBS_VALUE"]) for r in rows if r["REF_AREA"] == "PAN" and r["TIME_PERIOD"].startswith("2023"))
        == panama
    )
    assert "2024-11" not in {r["TIME_PERIOD"] for r in rows}
