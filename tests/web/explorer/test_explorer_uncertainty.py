"""Survey estimates are shown with their uncertainty: "±" in tables and figures, error bars in charts, a note
when two groups' 90 % intervals overlap, the margins in downloads, and a profile section on emigrants in the
US (ACS S0201: Honduran-born without health insurance 63.4 % ± 1.9 in 2009, 53.1 % ± 1.6 in 2018)."""

from __future__ import annotations

import csv
import io
import math
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.web.explorer.explorer_helpers import chart_rows, spec_of

FLOW = "/explore/DF_MIGRANT_CONDITIONS"
HONDURAS_UNINSURED = {"COUNTRY_OF_BIRTH": "HND", "INDICATOR": "UNINSURED", "lang": "en"}
POVERTY_2018 = {"COUNTRY_OF_BIRTH": "GTM,HND", "INDICATOR": "POVERTY", "from": "2018", "lang": "en"}
OVERLAP = "the intervals overlap; no statistically significant difference"


def notes(html: str) -> list[str]:
    found = re.findall(r"<li>([^<]*)</li>", "".join(_lists(html)))
    return [re.sub(r"\s+", " ", unescape(n)).strip() for n in found]


def _lists(html: str) -> list[str]:
    return re.findall(r'<ul class="notes">(.*?)</ul>', html, re.S)


def test_table_cells_show_each_estimate_with_its_margin_of_error(get_page):
    """Fails if tables drop the margin (checked by removing it from Labels.value once)."""
    html = get_page(FLOW, view="table", **HONDURAS_UNINSURED)
    assert "63.4 ± 1.9" in html and "53.1 ± 1.6" in html
    assert "63.4 ± 1.9" in get_page(FLOW, view="table", **{**HONDURAS_UNINSURED, "lang": "es"})


def test_line_charts_draw_the_90_percent_interval_of_every_point(get_page):
    """Fails if the error-bar layer is removed from line charts (checked once)."""
    spec = spec_of(get_page(FLOW, **HONDURAS_UNINSURED))
    bars = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert len(bars) == 1
    assert bars[0]["encoding"]["y"]["field"] == "low" and bars[0]["encoding"]["y2"]["field"] == "high"
    point = next(r for r in chart_rows(spec) if r["period"] == "2009")
    assert (round(point["low"], 1), round(point["high"], 1), point["text"]) == (61.5, 65.3, "63.4 ± 1.9")


def test_bar_and_ranked_charts_draw_intervals_too(get_page):
    for view in ("bar", "ranked"):
        spec = spec_of(get_page(FLOW, view=view, **POVERTY_2018))
        layers = spec["layer"]
        assert any(layer["mark"]["type"] == "rule" and "low" in str(layer["encoding"]) for layer in layers), view


def test_overlapping_intervals_are_noted_as_no_significant_difference(get_page):
    """Guatemalan-born poverty 21.2 ± 1.1 and Honduran-born 23.6 ± 1.7 in 2018: the intervals overlap."""
    found = notes(get_page(FLOW, **POVERTY_2018))
    assert any("Guatemala (21.2 ± 1.1)" in n and "Honduras (23.6 ± 1.7)" in n and OVERLAP in n for n in found)
    ranked = notes(get_page(FLOW, view="ranked", **POVERTY_2018))
    assert any(OVERLAP in n for n in ranked)


def test_intervals_apart_get_the_explanation_but_no_overlap_note(get_page):
    """Honduran-born uninsured 53.1 ± 1.6 against all the foreign-born 19.5 ± 0.2 (2018): clearly apart."""
    found = notes(get_page(FLOW, **{**HONDURAS_UNINSURED, "COUNTRY_OF_BIRTH": "HND,_T", "from": "2018"}))
    assert any("90% margin of error" in n for n in found)
    assert not any(OVERLAP in n for n in found)


def test_data_without_margins_of_error_show_no_uncertainty(get_page):
    html = get_page("/explore/DF_POPULATION", lang="en")
    assert "±" not in html and not any("margin of error" in n for n in notes(html))


def test_the_table_on_screen_downloads_with_a_column_of_margins_beside_the_figures(client):
    """Fails if "what is shown" drops the margins (the screen says 53.1 ± 1.6, the file said only 53.1)."""
    params = {**HONDURAS_UNINSURED, "from": "2018"}
    response = client.get(f"{FLOW}/download", params={**params, "format": "csv"})
    lines = [line for line in response.text.splitlines() if not line.startswith("#")]
    assert lines == [
        "Period,Socioeconomic conditions of migrants,Socioeconomic conditions of migrants · margin of error (90%)",
        "2018,53.1,1.6",
    ]
    spanish = client.get(f"{FLOW}/download", params={**params, "format": "csv", "lang": "es"}).text
    assert "margen de error (90 %)" in spanish


def test_downloads_carry_the_margin_of_error_as_a_number(client):
    params = {**HONDURAS_UNINSURED, "from": "2018", "scope": "long"}
    response = client.get(f"{FLOW}/download", params={**params, "format": "csv"})
    assert response.status_code == 200
    lines = [line for line in response.text.splitlines() if not line.startswith("#")]
    (row,) = list(csv.DictReader(lines))
    assert (row["OBS_VALUE"], row["OBS_MOE"]) == ("53.1", "1.6")
    workbook = load_workbook(io.BytesIO(client.get(f"{FLOW}/download", params={**params, "format": "xlsx"}).content))
    sheet = workbook.worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    values = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert values[header.index("OBS_MOE")] == 1.6
    sdmx = client.get(f"{FLOW}/download", params={**params, "format": "sdmx-csv", "scope": "long"}).text
    (sdmx_row,) = list(csv.DictReader(io.StringIO(sdmx)))
    assert sdmx_row["OBS_MOE"] == "1.6"


def test_a_download_of_the_added_up_figures_on_screen_has_the_margin_of_the_sum(client):
    """Mexican-born men's and women's median earnings added up (meaningless, but possible): the margin is
    √(404² + 209²), the Census Bureau's approximation for a sum (2018 margins as published)."""
    params = {"COUNTRY_OF_BIRTH": "MEX", "INDICATOR": "MEDIAN_EARNINGS_FTYR", "SEX": "F,M", "sum": "SEX"}
    response = client.get(f"{FLOW}/download", params={**params, "from": "2018", "format": "csv", "scope": "view"})
    lines = [line for line in response.text.splitlines() if not line.startswith("#")]
    header, row = list(csv.reader(lines))
    assert "margin of error" in header[-1] or "margen de error" in header[-1]
    assert float(row[-1]) == pytest.approx(math.hypot(404, 209))


def test_origin_country_profiles_gain_a_section_on_their_emigrants_in_the_us(get_page):
    html = get_page("/country/HND", lang="en")
    assert '<h2 class="profile-section"' in html and "Their emigrants in the United States" in html
    block = re.search(r'id="emigrants_us_uninsured"(.*?)</section>', html, re.S).group(1)
    figures = re.findall(r'<span class="headline-value small">([^<]+)</span>', block)
    assert sorted(figures) == ["19.5 ± 0.2", "53.1 ± 1.6"]
    assert "63.4 ± 1.9" in str(spec_of(html, "emigrants_us_uninsured")["data"]["values"])


def test_countries_without_emigrant_estimates_have_no_such_section(get_page):
    assert "profile-section" not in get_page("/country/CAN", lang="en")


def test_the_home_page_highlight_draws_intervals(get_page):
    spec = spec_of(get_page("/", lang="en"), "DF_MIGRANT_CONDITIONS")
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "rule"]
    honduras_2009 = next(r for r in spec["data"]["values"] if r["series"] == "Honduras" and r["period"] == "2009")
    assert (honduras_2009["value"], honduras_2009["moe"]) == (63.4, 1.9)


def test_state_estimates_are_explored_with_their_margins(get_page):
    """People born in Central America except Mexico, in poverty in California in 2018: 16.2 % ± 0.9."""
    params = {"STATE": "US-CA,US-TX", "COUNTRY_OF_BIRTH": "CAMX", "INDICATOR": "POVERTY", "lang": "en"}
    html = get_page(FLOW, view="table", **params)
    assert "California" in html and "Texas" in html and "16.2 ± 0.9" in html


NOT_SIGNIFICANT = "the difference's interval includes zero; it is not statistically significant"


def test_a_gap_whose_interval_includes_zero_is_noted_as_not_significant(get_page):
    """Cuban-born unemployment minus all the foreign-born's, 2018: -0.3 ± 0.5 percentage points."""
    params = {"COUNTRY_OF_BIRTH": "CUB", "INDICATOR": "UNEMPLOYMENT", "COMPARISON": "DIFF_FB", "lang": "en"}
    found = notes(get_page(FLOW, **params))
    assert any("(-0.3 ± 0.5), 2018" in n and NOT_SIGNIFICANT in n for n in found), found


def test_gaps_clear_of_zero_and_estimates_are_not_called_insignificant(get_page):
    gap = {"COUNTRY_OF_BIRTH": "HND", "INDICATOR": "UNINSURED", "COMPARISON": "DIFF_NAT", "lang": "en"}
    assert not any(NOT_SIGNIFICANT in n for n in notes(get_page(FLOW, **gap)))
    # an estimate, not a difference, whose interval includes zero: Caribbean-born in Missouri, 2018, in
    # construction occupations 5.7 ± 7.1 %; fails if every interval across zero were called a difference
    share = {"STATE": "US-MO", "COUNTRY_OF_BIRTH": "CAR", "INDICATOR": "OCC_CONSTRUCTION", "lang": "en"}
    html = get_page(FLOW, view="ranked", **share)
    assert "5.7 ± 7.1" in html and not any(NOT_SIGNIFICANT in n for n in notes(html))


def test_value_and_margin_are_written_with_the_margins_precision(get_page):
    """Mexican-born 2018: 37.0 ± 0.4, not "37 ± 0" (a trailing zero dropped the decimal, the margin was rounded)."""
    for language in ("en", "es"):
        html = get_page(FLOW, view="table", COUNTRY_OF_BIRTH="MEX", lang=language)
        assert "37.0 ± 0.4" in html and "37 ± 0" not in html, language
        assert not re.search(r"(?<![\d.,])\d+ ± \d+(?![\d.,])", html), language  # no estimate rounded to whole numbers
    assert "37.0 ± 0.4" in get_page("/country/MEX", lang="es")
