"""The formatting table: the same numbers written for Mexico and Central America (es-419), Spain (es-ES) and
English (en-US), by kind (counts, rates, money, percentages, compact), in the function, on a page, in a
chart's locale and axis, and in a download meant for people."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook

from pivgm.web.chart_parts import axis_labels
from pivgm.web.i18n import format_compact, format_count, format_money, format_number, format_percent

LOCALES = ("es-419", "es-ES", "en-US")
TABLE = [
    # kind, value, es-419, es-ES, en-US
    ("count", 12452, "12,452", "12.452", "12,452"),
    ("count", 8968206468, "8,968,206,468", "8.968.206.468", "8,968,206,468"),
    ("rate", 1234.5, "1,234.5", "1.234,5", "1,234.5"),
    ("rate", -0.04, "0.0", "0,0", "0.0"),
    ("money", 1234.5, "USD1,234.50", "1.234,50\u00a0US$", "$1,234.50"),
    ("percent", 12.5, "12.5%", "12,5\u00a0%", "12.5%"),
    ("compact", 1234567, "1.2 millones", "1,2 millones", "1.2 million"),
]
KINDS = {
    "count": format_count,
    "rate": lambda value, locale: format_number(value, locale, 1),
    "money": format_money,
    "percent": format_percent,
    "compact": format_compact,
}


@pytest.mark.parametrize(("kind", "value", "latin_america", "spain", "english"), TABLE)
def test_one_function_per_kind_writes_each_locale_its_way(
    kind: str, value: float, latin_america: str, spain: str, english: str
) -> None:
    """Fails if a kind's function drops the CLDR pattern of any of the three locales."""
    for locale, text in zip(LOCALES, (latin_america, spain, english), strict=True):
        assert KINDS[kind](value, locale) == text, (kind, locale)


def test_spanish_and_english_pages_default_to_es_419_and_en_us() -> None:
    """Fails if the default Spanish locale goes back to Spain's (12.452)."""
    assert format_count(12452, "es") == format_count(12452, "es-419") == "12,452"
    assert format_number(1234.5, "en", 1) == "1,234.5"
    assert format_count(None, "es") == "–"


@pytest.mark.parametrize(
    ("params", "count", "separators"),
    [
        ({"lang": "es"}, "11,279,561", {"decimal": ".", "thousands": ","}),
        ({"lang": "es", "locale": "es-MX"}, "11,279,561", {"decimal": ".", "thousands": ","}),
        ({"lang": "es", "locale": "es-ES"}, "11.279.561", {"decimal": ",", "thousands": "."}),
        ({"lang": "en"}, "11,279,561", {"decimal": ".", "thousands": ","}),
        ({"lang": "en", "locale": "es-ES"}, "11,279,561", {"decimal": ".", "thousands": ","}),  # not its language
    ],
)
def test_a_page_and_its_charts_write_numbers_in_the_page_locale(client, params, count, separators) -> None:  # type: ignore[no-untyped-def]
    """The home page's headline figure and the d3 locale its charts are drawn with (fails if the page or
    the charts ignore the locale)."""
    text = client.get("/", params=params).text
    assert count in text
    chart_locale = json.loads(re.search(r'<script id="format-locale"[^>]*>(.*?)</script>', text, re.S).group(1))
    assert {k: chart_locale[k] for k in separators} == separators


@pytest.fixture(autouse=True)
def _forget_the_locale(client):  # type: ignore[no-untyped-def]
    """``?locale=`` is remembered in a cookie; the shared client must not carry it into other tests."""
    yield
    client.cookies.delete("locale")


# The same real figures on explorer tables: kind, page, selection, es-419, es-ES, en-US.
PAGE_TABLE = [
    (
        "count",  # Venezuelans crossing Panama's Darién in 2023
        "/explore/DF_IRREGULAR_TRANSIT",
        {"CITIZENSHIP": "VEN", "from": "2023-01", "to": "2023-12"},
        ("328,650", "328.650", "328,650"),
    ),
    (
        "rate",  # share of Honduran-born people without health insurance, with its margin of error
        "/explore/DF_MIGRANT_CONDITIONS",
        {"COUNTRY_OF_BIRTH": "HND", "INDICATOR": "UNINSURED"},
        ("63.4 ± 1.9", "63,4 ± 1,9", "63.4 ± 1.9"),
    ),
    (
        "money",  # personal remittances received by Guatemala in 2023
        "/explore/DF_REMITTANCES",
        {"REF_AREA": "GTM", "from": "2023", "to": "2023"},
        ("USD19,980,963,760", "19.980.963.760\u00a0US$", "$19,980,963,760"),
    ),
    (
        "percent",  # Guatemala's unemployment rate in 2020
        "/explore/DF_SOCIOECONOMIC",
        {"REF_AREA": "GTM", "from": "2020", "to": "2020"},
        ("3.0%", "3,0\u00a0%", "3.0%"),
    ),
]


@pytest.mark.parametrize(("kind", "path", "selection", "expected"), PAGE_TABLE)
def test_an_explorer_table_writes_each_kind_in_each_locale(client, kind, path, selection, expected) -> None:  # type: ignore[no-untyped-def]
    """Over HTTP through the app (fails if the table ignores ``?locale=`` or a kind loses its CLDR pattern)."""
    for locale, text in zip(LOCALES, expected, strict=True):
        params = {**selection, "view": "table", "lang": locale[:2], "locale": locale}
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text[-500:]
        table = response.text.split('id="pivot-table"')[1].split("</table>")[0].replace("&nbsp;", "\u00a0")
        assert text in table, (kind, locale, re.sub(r"<[^>]+>|\s{2,}", " ", table)[-400:])
        client.cookies.delete("locale")


def test_the_locale_is_remembered_for_the_next_pages(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/", params={"lang": "es", "locale": "es-ES"})
    assert "11.279.561" in client.get("/", params={"lang": "es"}).text
    client.cookies.delete("locale")
    assert "11,279,561" in client.get("/", params={"lang": "es"}).text


def test_an_explorer_table_writes_es_419(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/explore/DF_IRREGULAR_TRANSIT", params={"view": "table", "lang": "es"}).text
    figures = re.findall(r">\s*(\d{1,3}(?:[.,]\d{3})+)\s*<", html)
    assert figures and all("," in f and "." not in f for f in figures), figures[:5]


@pytest.mark.parametrize(
    ("locale", "largest", "unit"),
    [("es", 1_500_000, "'\u00a0M'"), ("en", 1_500_000, "'M'"), ("en", 2.5e9, "'B'"), ("es", 2.5e9, "'\u00a0M'")],
)
def test_an_axis_writes_every_label_in_one_unit(locale: str, largest: float, unit: str) -> None:
    """No "900,000" beside "1 M": one CLDR unit chosen from the axis's reach (fails if the per-tick
    thresholds come back). Spanish has no short unit for 10^9, so billions read 2,500 M."""
    expression = axis_labels(locale, largest)
    assert expression.count("format(") == 1 and unit in expression and "1e9" not in expression
    assert axis_labels(locale, 900_000) == "format(datum.value, ',~r')"


def test_the_explorer_chart_axis_uses_one_unit(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/explore/DF_IRREGULAR_TRANSIT", params={"lang": "es"}).text
    specs = [json.loads(s) for s in re.findall(r'<script[^>]*id="spec-[^"]*"[^>]*>(.*?)</script>', html, re.S)]
    expressions = re.findall(r'"labelExpr": "([^"]*)"', json.dumps(specs))
    assert expressions and all(e.count("format(") == 1 for e in expressions), expressions


def test_the_excel_download_groups_thousands_in_the_reader_s_own_locale(client) -> None:  # type: ignore[no-untyped-def]
    """Excel number formats are locale-neutral codes (``#,##0``) that Excel writes with the reader's own
    separators; the figures stay numbers (fails if the cells lose their number format)."""
    response = client.get(
        "/explore/DF_IRREGULAR_TRANSIT/download", params={"format": "xlsx", "lang": "es", "scope": "long"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("OBS_VALUE") + 1
    cells = [row[column - 1] for row in sheet.iter_rows(min_row=2) if row[column - 1].value is not None]
    assert cells and all(isinstance(c.value, int | float) for c in cells)
    assert {c.number_format for c in cells} <= {"#,##0", "#,##0.0##"}
    csv = client.get(
        "/explore/DF_IRREGULAR_TRANSIT/download", params={"format": "csv", "lang": "es", "scope": "long"}
    ).text
    assert re.search(r",\d{4}-\d{2},\d{5,},", csv)  # machine formats stay plain: 38099, no separator
