"""Every recipe feature, table-driven: a recipe and a small real file in, the mapped rows out."""

from __future__ import annotations

import pytest

from pivgm.ingest.recipes import RecipeError
from pivgm.ingest.recipes.periods import PeriodFormat, parse_periods
from tests.ingest.recipes.conftest import write_csv, write_xlsx

BASE = """recipe: 1
columns: {REF_AREA: Destino, COUNTERPART_AREA: Origen, SEX: Sexo, OBS_VALUE: Personas}
period: {column: Año}
constants: {FREQ: A}
"""
HEADER = ["Destino", "Origen", "Sexo", "Año", "Personas"]
TABLE = [
    HEADER,
    ["Mexico", "Guatemala", "Hombres", "2020", "10"],
    ["México", "Honduras", "Mujeres", "2020", "20"],
    ["World", "Honduras", "Mujeres", "2020", "99"],
    ["Costa Rica", "Nicaragua", "Hombres", "2019", "30"],
]


def keys(rows, *components):
    return [tuple(row[c] for c in components) for row in rows]


def test_value_maps_layer_on_top_of_automatic_label_matching(recipe_rows):
    """Fails if ``with_label_matching`` is removed from ``map_table``: "Mexico" would not become MEX."""
    rows = recipe_rows(BASE + "values: {SEX: {Hombres: M}, COUNTERPART_AREA: {Guatemala: _O}}\n", TABLE)
    assert keys(rows, "REF_AREA", "COUNTERPART_AREA", "SEX") == [
        ("MEX", "_O", "M"),  # the user's entry wins over the automatic "Guatemala" -> GTM
        ("MEX", "HND", "F"),  # "Mujeres" matched automatically although SEX has a user map
        ("WLD", "HND", "F"),
        ("CRI", "NIC", "M"),
    ]


FILTERS = [
    ("{column: Destino, equals: Mexico}", [2]),
    ("{column: Destino, in: [Mexico, México]}", [2, 3]),
    ("{column: Origen, regex: '^H'}", [3, 4]),
    ("{column: Destino, not: {in: [World]}}", [2, 3, 5]),
    ("{column: Destino, not: {regex: 'ico$'}}", [4, 5]),
    ("{code: REF_AREA, equals: MEX}", [2, 3]),  # on codes: "Mexico" and "México" are both MEX
    ("{code: REF_AREA, in: [CRI, WLD]}", [4, 5]),
    ("{code: REF_AREA, not: {in: [WLD]}}", [2, 3, 5]),
    ("{code: SEX, regex: '^F$'}", [3, 4]),
]


@pytest.mark.parametrize(("entry", "kept"), FILTERS)
def test_row_filters_on_source_columns_and_mapped_codes(recipe_rows, entry, kept):
    rows = recipe_rows(BASE + f"filters:\n  - {entry}\n", TABLE)
    assert [row["_row"] for row in rows] == kept


def test_a_known_filter_keeps_rows_whose_label_is_a_code(recipe_rows):
    """Fails if ``known`` does not look the codes up in the codelist: "Eastern Africa" is no CL_AREA code."""
    table = [*TABLE, ["Eastern Africa", "Honduras", "Mujeres", "2020", "5"]]
    rows = recipe_rows(BASE + "filters:\n  - {code: REF_AREA, known: true}\n", table)
    assert [row["_row"] for row in rows] == [2, 3, 4, 5]


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        ("filters:\n  - {column: Destination, equals: Mexico}\n", ("filters", 0)),
        ("filters:\n  - {code: AGE, equals: Y0T4}\n", ("filters", 0)),
        ("unpivot: {columns: ['1990']}\n", ("unpivot", "columns", 0)),
        ("computed:\n  - {into: x, sum: [Personas, Nope]}\n", ("computed", 0)),
        ("hierarchy: {column: Nope, into: x}\n", ("hierarchy", "column")),
    ],
)
def test_a_recipe_naming_a_missing_column_is_an_error_naming_its_line(recipe_rows, entry, path):
    """Fails if ``need_column`` (or the component check) stops naming the recipe line."""
    text = BASE + entry
    with pytest.raises(RecipeError) as caught:
        recipe_rows(text, TABLE)
    line = len(BASE.splitlines()) + 2 if path[0] in ("filters", "computed") else len(BASE.splitlines()) + 1
    assert caught.value.details["line"] == line, caught.value.message
    assert "test.yaml, line" in caught.value.message


COMPUTED = [
    ("{into: total, sum: [Dead, Missing]}", ["7", "3", "", "5"]),
    ("{into: total, difference: [Dead, Missing]}", ["3", "", "", ""]),
    ("{into: total, column: Dead, multiply: 1000}", ["5000", "3000", "", ""]),
]


@pytest.mark.parametrize(("entry", "values"), COMPUTED)
def test_computed_values(recipe_rows, entry, values):
    """A sum skips empty cells (empty only when all are); a difference needs both; a multiplier scales."""
    table = [
        ["Destino", "Origen", "Sexo", "Año", "Dead", "Missing"],
        ["Mexico", "Guatemala", "Hombres", "2020", "5", "2"],
        ["Mexico", "Honduras", "Hombres", "2020", "3", ""],
        ["Mexico", "Cuba", "Hombres", "2020", "", ".."],
        ["Mexico", "Haiti", "Hombres", "2020", "", "5"],
    ]
    text = BASE.replace("OBS_VALUE: Personas", "OBS_VALUE: total") + f"computed:\n  - {entry}\n"
    assert [row["OBS_VALUE"] for row in recipe_rows(text, table)] == values


def test_constants_fill_components_the_file_lacks(recipe_rows):
    text = "recipe: 1\ncolumns: {COUNTERPART_AREA: Origen, OBS_VALUE: Personas}\nperiod: {column: Año}\n"
    text += "constants: {FREQ: A, REF_AREA: PAN, SEX: _T}\n"
    rows = recipe_rows(text, [["Origen", "Año", "Personas"], ["Colombia", "2023", "4"]])
    assert keys(rows, "FREQ", "REF_AREA", "COUNTERPART_AREA", "SEX", "TIME_PERIOD") == [
        ("A", "PAN", "COL", "_T", "2023")
    ]


PERIODS = [
    ("auto", {}, "Enero 2024", "2024-01"),
    ("auto", {}, "Ene-2024", "2024-01"),
    ("auto", {}, "October 2023", "2023-10"),
    ("auto", {}, "2023-T1", "2023-Q1"),
    ("auto", {}, "T3 2023", "2023-Q3"),
    ("auto", {}, "2023", "2023"),
    ("day_month", {}, "01 October 2024", "2024-10"),
    ("day_month", {}, "1 de octubre de 2024", "2024-10"),
    ("day_month", {}, "15 Ene 2024", "2024-01"),
    ("day_month", {}, "October 27, 2019", "2019-10"),
    ("timestamp", {}, "Thu, 01/01/2026 - 12:00", "2026-01"),
    ("timestamp", {"dates": "mdy"}, "Fri, 03/13/2026 - 08:30", "2026-03"),
    ("timestamp", {"dates": "ymd", "frequency": "A"}, "2025-11-30 23:59:59", "2025"),
    ("timestamp", {"frequency": "Q"}, "30/05/2025", "2025-Q2"),
    ("fiscal_year", {}, "2023 OCT", "2022-10"),
    ("fiscal_year", {}, "2023 SEP", "2023-09"),
    ("fiscal_year", {}, "2025 (FYTD) Ene", "2025-01"),
    ("fiscal_year", {}, "FY2023", "2022-A1"),
    ("fiscal_year", {"fiscal_year_start": 1}, "FY2023", "2023-A1"),
    ("fiscal_year", {"fiscal_year_start": 7}, "2024 julio", "2023-07"),
]


@pytest.mark.parametrize(("form", "options", "label", "period"), PERIODS)
def test_period_parsers(form, options, label, period):
    assert parse_periods([label], PeriodFormat(format=form, **options)) == {label: period}


@pytest.mark.parametrize(
    ("form", "label"), [("day_month", "32 October 2024"), ("timestamp", "13/13/2026"), ("fiscal_year", "OCT")]
)
def test_unreadable_period_labels_are_left_for_the_invalid_period_rule(form, label):
    assert parse_periods([label], PeriodFormat(format=form)) == {}


def test_a_fiscal_year_total_is_a_reporting_year_never_a_calendar_year(recipe_rows):
    """US FY2023 (October 2022 - September 2023) is the SDMX reporting year 2022-A1 (named by the year it
    starts in) with REPORTING_YEAR_START_DAY --10-01. Fails if the fiscal-year parser returns the bare year
    (it would be read as calendar 2023)."""
    text = BASE.replace("period: {column: Año}", "period: {column: Año, format: fiscal_year}")
    rows = recipe_rows(text, [HEADER, ["United States", "Mexico", "Hombres", "FY2023", "717333"]])
    assert rows[0]["TIME_PERIOD"] == "2022-A1"


def test_year_by_sex_two_row_header_unpivots(recipe_rows, tmp_path):
    """A workbook with a merged year row over a sex row: one observation per year and sex."""
    path = write_xlsx(
        tmp_path / "wide.xlsx",
        {
            "Cuadro": [
                ["Cuadro 1. Inmigrantes por país de origen"],
                [],
                ["Origen", "2015", None, "2020", None],
                [None, "Hombres", "Mujeres", "Hombres", "Mujeres"],
                ["Nicaragua", 10, 11, 12, 13],
                ["Venezuela", 1, 2, 3, 4],
                ["Fuente: DGME"],
            ]
        },
        {"Cuadro": ["B3:C3", "D3:E3"]},
    )
    text = """recipe: 1
read: {header_rows: 2, skip_rows: 2}
unpivot: {columns: {except: [Origen]}, into: [year, sex], value: personas}
period: {column: year}
columns: {COUNTERPART_AREA: Origen, SEX: sex, OBS_VALUE: personas}
constants: {FREQ: A, REF_AREA: CRI}
"""
    rows = recipe_rows(text, path=path)
    assert keys(rows, "COUNTERPART_AREA", "TIME_PERIOD", "SEX", "OBS_VALUE")[:4] == [
        ("NIC", "2015", "M", "10"),
        ("NIC", "2015", "F", "11"),
        ("NIC", "2020", "M", "12"),
        ("NIC", "2020", "F", "13"),
    ]
    assert len(rows) == 8


def test_one_row_header_unpivots_by_pattern(recipe_rows):
    table = [["Origen", "1990", "1995", "Notas"], ["Cuba", "5", "6", "x"], ["Haiti", "7", "..", "y"]]
    text = """recipe: 1
unpivot: {columns: {pattern: '^\\d{4}$'}, into: [year]}
period: {column: year}
columns: {COUNTERPART_AREA: Origen, OBS_VALUE: value}
constants: {FREQ: A, REF_AREA: DOM, SEX: _T}
"""
    rows = recipe_rows(text, table)
    assert keys(rows, "COUNTERPART_AREA", "TIME_PERIOD", "OBS_VALUE") == [
        ("CUB", "1990", "5"),
        ("CUB", "1995", "6"),
        ("HTI", "1990", "7"),
        ("HTI", "1995", ""),  # ".." is a missing marker: skipped at validation, never a figure
    ]


def test_missing_markers_and_footnote_marks(recipe_rows):
    """Fails if ``blank_missing`` or ``strip_marks`` is skipped: "s/d", "x" and "1,234 (p)" would not be
    read, "Panamá 1/" would not match PAN."""
    table = [
        HEADER,
        ["Panamá 1/", "Colombia*", "Hombres", "2020", "1234 (p)"],
        ["Panamá", "Cuba", "Hombres", "2020", "s/d"],
        ["Panamá", "Haiti", "Hombres", "2020", "x"],
        ["Panamá", "Chile", "Hombres (p)", "2020", "n.d."],
    ]
    text = BASE + "missing: [x]\nfootnote_marks: ['1/', '*', '(p)']\n"
    rows = recipe_rows(text, table)
    assert keys(rows, "REF_AREA", "COUNTERPART_AREA", "SEX", "OBS_VALUE") == [
        ("PAN", "COL", "M", "1234"),
        ("PAN", "CUB", "M", ""),
        ("PAN", "HTI", "M", ""),
        ("PAN", "CHL", "M", ""),
    ]


def test_sheets_by_name_and_pattern_are_combined(recipe_rows, tmp_path):
    sheets = {
        name: [["Origen", "Año", "Personas"], [origin, "2020", str(value)]]
        for name, origin, value in [("Notas", "x", 0), ("Cuadro 1", "Cuba", 1), ("Cuadro 2", "Haiti", 2)]
    }
    path = write_xlsx(tmp_path / "book.xlsx", sheets)
    text = """recipe: 1
read: {sheets: [{pattern: '^Cuadro'}]}
period: {column: Año}
columns: {COUNTERPART_AREA: Origen, OBS_VALUE: Personas}
constants: {FREQ: A, REF_AREA: DOM, SEX: _T}
"""
    rows = recipe_rows(text, path=path)
    assert keys(rows, "COUNTERPART_AREA", "OBS_VALUE") == [("CUB", "1"), ("HTI", "2")]
    with pytest.raises(RecipeError, match=r"line 2: read\.sheets\[0\]"):
        recipe_rows(text.replace("'^Cuadro'", "'^Tabla'"), path=path)


def test_skip_rows_header_rows_and_table_end(recipe_rows):
    table = [
        ["Instituto Nacional de Migración"],
        ["Personas, 2020", "", "", "", ""],
        HEADER,
        ["Mexico", "Guatemala", "Hombres", "2020", "10"],
        ["Total", "", "", "2020", "10"],
        ["Mexico", "Cuba", "Hombres", "2020", "99"],
    ]
    text = BASE + "read: {skip_rows: 2, header_rows: 1, end: '^Total$'}\n"
    rows = recipe_rows(text, table)
    assert [row["_row"] for row in rows] == [4]


def test_hierarchical_labels_become_paths(recipe_rows, tmp_path):
    """Indented labels (leading spaces, as INEC writes them) become "parent / child" paths."""
    table = [
        ["Condición", "2020"],
        ["Económicamente activa", "10"],
        ["   Ocupada", "8"],
        ["   Desocupada", "2"],
        ["No económicamente activa", "5"],
        ["   Estudiantes", "3"],
        ["   Otros", "2"],
    ]
    path = write_csv(tmp_path / "h.csv", table)
    text = """recipe: 1
hierarchy: {column: Condición, into: path}
filters:
  - {column: path, regex: ' / '}
period: {column: '2020'}
columns: {OBS_VALUE: '2020'}
constants: {FREQ: A, REF_AREA: PAN, COUNTERPART_AREA: _T, SEX: _T}
"""
    from pivgm.ingest.recipes import map_table, parse_recipe, read_with_recipe
    from pivgm.structures import load_standard

    recipe = parse_recipe(text)
    applied = map_table(
        read_with_recipe(path, recipe, file_name="h.csv"), recipe, load_standard().dataflow("DF_MIG_STOCK")
    )
    assert applied.raw.table.column("path").to_pylist() == [
        "Económicamente activa / Ocupada",
        "Económicamente activa / Desocupada",
        "No económicamente activa / Estudiantes",
        "No económicamente activa / Otros",
    ]


def test_patterns_give_codes_after_values_and_before_automatic_matching(recipe_rows):
    """Fails if ``_with_patterns`` is skipped: "Cerca de Tapachula" would be no code of CL_AREA."""
    table = [
        HEADER,
        *[[d, "Cuba", "Hombres", "2020", "1"] for d in ["Cerca de Tapachula", "Mexico", "Lugar X", "Texas"]],
    ]
    text = (
        BASE + "values: {REF_AREA: {Texas: USA}}\npatterns:\n  REF_AREA:\n    - {regex: '(?i)tapachula', code: MEX}\n"
    )
    text += "    - {regex: 'Lugar', code: _U}\n    - {regex: '(?i)texas', code: _O}\n"
    assert [row["REF_AREA"] for row in recipe_rows(text, table)] == ["MEX", "MEX", "_U", "USA"]


def test_aggregate_adds_up_rows_with_the_same_key(recipe_rows):
    """Record-level rows become one observation per key; fails if ``aggregate`` is not applied."""
    table = [
        HEADER,
        *[
            ["Mexico", o, "Hombres", "2020", v]
            for o, v in [("Cuba", "1"), ("Cuba", "2"), ("Haiti", "4"), ("Cuba", "..")]
        ],
    ]
    rows = recipe_rows(BASE + "aggregate: sum\n", table)
    assert keys(rows, "COUNTERPART_AREA", "OBS_VALUE", "_row") == [("CUB", "3", 2), ("HTI", "4", 4)]


def test_a_fiscal_year_total_is_refused_by_a_flow_without_reporting_periods(recipe_rows, tmp_path):
    """DF_MIG_STOCK does not declare REPORTING_YEAR_START_DAY, so a fiscal-year figure (reporting year 2022-A1
    with --10-01) would lose its start day there: it fails ``reporting-period-without-start-day`` and is never
    loaded. Fails if the rule accepts a start day the flow would not keep."""
    from pivgm.ingest.recipes import map_table, parse_recipe, read_with_recipe
    from pivgm.ingest.validate import validate
    from pivgm.structures import load_standard

    path = write_csv(tmp_path / "fy.csv", [HEADER, ["United States", "Mexico", "Hombres", "2023", "717333"]])
    text = BASE.replace("period: {column: Año}", "period: {column: Año, format: fiscal_year}")
    recipe, dataflow = parse_recipe(text), load_standard().dataflow("DF_MIG_STOCK")
    applied = map_table(read_with_recipe(path, recipe, file_name="fy.csv"), recipe, dataflow)
    assert applied.mapping.constants["REPORTING_YEAR_START_DAY"] == "--10-01"
    outcome = validate(applied.mapped, dataflow, file_name="fy.csv")
    assert outcome.report.flatten(["row", "type"]) == [[2, "reporting-period-without-start-day"]]
    assert outcome.observations is None


def test_a_header_of_repeated_year_rows_is_read_as_the_recipe_says(recipe_rows, tmp_path):
    """UN DESA's layout: sexes merged over a row of years 1990-2019 repeated three times, which automatic
    header detection takes for data; ``read.header_rows`` and ``skip_rows`` say where the header is."""
    years = [1990, 2000, 2019]
    path = write_xlsx(
        tmp_path / "undesa.xlsx",
        {
            "Table 1": [
                ["International migrant stock at mid-year by sex and by region, country or area of destination"],
                ["United Nations, Department of Economic and Social Affairs, Population Division (2019)"],
                ["Destination", "Both sexes", None, None, "Males", None, None, "Females", None, None],
                [None, *years, *years, *years],
                ["Costa Rica", 100, 200, 300, 40, 90, 140, 60, 110, 160],
                ["Panama", 50, 60, 70, 20, 30, 35, 30, 30, 35],
            ]
        },
        {"Table 1": ["B3:D3", "E3:G3", "H3:J3"]},
    )
    text = """recipe: 1
read: {sheets: [Table 1], skip_rows: 2, header_rows: 2}
unpivot: {columns: {except: [Destination]}, into: [sex, year], value: migrants}
period: {column: year}
columns: {REF_AREA: Destination, SEX: sex, OBS_VALUE: migrants}
values: {SEX: {Both sexes: _T}}
constants: {FREQ: A, COUNTERPART_AREA: _T}
"""
    rows = recipe_rows(text, path=path)
    assert len(rows) == 18
    assert keys(rows, "REF_AREA", "SEX", "TIME_PERIOD", "OBS_VALUE")[:4] == [
        ("CRI", "_T", "1990", "100"),
        ("CRI", "_T", "2000", "200"),
        ("CRI", "_T", "2019", "300"),
        ("CRI", "M", "1990", "40"),
    ]


def test_a_year_to_date_fiscal_year_is_left_out_not_published_as_the_year(tmp_path):
    """CBP's "2025 (FYTD)" read without its months is October - August only: its rows are left out, with a
    note in both languages, while whole fiscal years load and FYTD months stay months. Fails if
    ``partial_years`` is not applied (FY2025 to date would be stored as the reporting year 2024-A1)."""
    from pivgm.ingest.recipes import map_table, parse_recipe, read_with_recipe
    from pivgm.structures import load_standard

    table = [
        HEADER,
        ["United States", "Mexico", "Hombres", "2024", "10"],
        ["United States", "Mexico", "Hombres", "2025 (FYTD)", "7"],
        ["United States", "Honduras", "Hombres", "2025 (FYTD)", "3"],
    ]
    path = write_csv(tmp_path / "fy.csv", table)
    text = BASE.replace("period: {column: Año}", "period: {column: Año, format: fiscal_year}")
    recipe, dataflow = parse_recipe(text), load_standard().dataflow("DF_MIG_STOCK")
    applied = map_table(read_with_recipe(path, recipe, file_name="fy.csv"), recipe, dataflow)
    rows = applied.mapped.table.to_pylist()
    assert [(row["TIME_PERIOD"], row["_row"]) for row in rows] == [("2023-A1", 2)]
    (note,) = [note for note in applied.notes if "FYTD" in note]
    assert note == (
        "period: 2 row(s) of incomplete fiscal years left out ('2025 (FYTD)'): a year-to-date figure is not the "
        "fiscal year's total. Publish it by month."
    )
    assert note.text("es").startswith("period: se dejaron fuera 2 fila(s) de años fiscales incompletos")
