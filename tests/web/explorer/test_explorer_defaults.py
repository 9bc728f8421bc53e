"""Each view tab opens on a chart worth reading: a map of many places in one unit, a ranking of many bars,
a pyramid of women and men by age; a pyramid is offered only where the data have sex and age. Top-N rankings
and stacks add up what they leave out as "Others" (never rates, never a total with its parts).

Seen red: with the tabs back on ``state.with_view`` the map tab of DF_REFUGEES stops on "choose a single
code" and the ranking of DF_IRREGULAR_TRANSIT is one bar; without ``_others`` the ranking has no "Otros"
bar, and counts of persons and rates (without the unit check) alike; without ``with_others`` the stack of
every citizenship is a "too many series" problem; with the pyramid always offered, totals-only data get one.
"""

from __future__ import annotations

import html as markup
import re

import pytest

from pivgm.catalog.fitting import offers_pyramid
from pivgm.structures import load_standard
from pivgm.web.i18n import translate
from tests.web.explorer.explorer_helpers import chart_rows, spec_of


def tabs(page: str) -> dict[str, str]:
    return {v: markup.unescape(h) for h, v in re.findall(r'<a href="([^"]+)" data-view="(\w+)"', page)}


@pytest.mark.parametrize(
    ("dataflow_id", "view"),
    [
        ("DF_REFUGEES", "map"),
        ("DF_REFUGEES", "flows"),
        ("DF_ASYLUM_DECISIONS", "map"),
        ("DF_IND_TRANSIT_12M", "map"),
        ("DF_IND_TRANSIT_12M", "ranked"),
        ("DF_RETURNS", "pyramid"),
        ("DF_MISSING_MIGRANTS", "map"),
    ],
)
def test_a_view_tab_opens_on_a_chart_not_a_problem(client, get_page, dataflow_id, view):
    page = get_page(tabs(get_page(f"/explore/{dataflow_id}"))[view])
    assert 'class="problem"' not in page
    body = page.split('id="alternative-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr") > 1  # the table under the chart: more than one place, group or corridor


@pytest.mark.parametrize("dataflow_id", ["DF_IRREGULAR_TRANSIT", "DF_MISSING_MIGRANTS_INCIDENTS"])
def test_the_ranking_tab_ranks_the_dimension_with_the_most_codes(client, get_page, dataflow_id):
    page = get_page(tabs(get_page(f"/explore/{dataflow_id}"))["ranked"])
    rows = chart_rows(spec_of(page))
    assert len(rows) > 10
    assert len({r["unit"] for r in rows if "unit" in r}) <= 1


def test_a_pyramid_is_offered_only_with_data_by_sex_and_age(get_page):
    assert "pyramid" in tabs(get_page("/explore/DF_RETURNS"))
    assert "pyramid" not in tabs(get_page("/explore/DF_POPULATION"))  # no sex, no age
    transit = load_standard().dataflows["DF_IRREGULAR_TRANSIT"]
    by_sex_and_age = {"SEX": {"_T": 9, "F": 2, "M": 2}, "AGE": {"_T": 9, "Y_LT18": 2, "Y_GE18": 2}}
    assert offers_pyramid(transit, by_sex_and_age)
    assert not offers_pyramid(transit, {"SEX": {"_T": 9}, "AGE": {"_T": 9}})  # totals only
    assert not offers_pyramid(transit, {**by_sex_and_age, "AGE": {"_T": 9, "Y_GE18": 4}})  # one age group


def test_a_ranking_adds_up_what_its_top_leaves_out_as_others(get_page):
    page = get_page("/explore/DF_IRREGULAR_TRANSIT", view="ranked", CITIZENSHIP="*", series="CITIZENSHIP")
    rows = chart_rows(spec_of(page))
    table = get_page("/explore/DF_IRREGULAR_TRANSIT", view="table", series="CITIZENSHIP", cols="CITIZENSHIP")
    assert rows[-1]["label"] == "Otros" and len(rows) == 31
    assert rows[-1]["value"] > 0
    assert "<th" in page and ">Otros<" in page  # the table under the chart has the same row
    assert table  # the table view still lists every citizenship


def test_rates_get_no_others(get_page):
    page = get_page("/explore/DF_IND_MIGRANTS_PCT_POP", view="ranked", REF_AREA="*", lang="en")
    assert all(r["label"] != "Others" for r in chart_rows(spec_of(page)))


def test_a_stack_of_too_many_series_draws_the_largest_and_others(get_page):
    page = get_page("/explore/DF_IRREGULAR_TRANSIT", view="stacked", CITIZENSHIP="*", series="CITIZENSHIP", lang="en")
    assert 'class="problem"' not in page
    series = list(dict.fromkeys(r["series"] for r in chart_rows(spec_of(page))))
    assert len(series) == 10 and series[-1] == "Others"


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_stack_never_adds_persons_to_events(get_page, language):
    """DF_IND_TRANSIT_12M counts persons in Honduras and Panama but events in Mexico: its stacked tab opens on
    one unit, and a stack asked for by URL across units says why it is not drawn (it stacked all three)."""
    flow = "/explore/DF_IND_TRANSIT_12M"
    page = get_page(tabs(get_page(flow, lang=language))["stacked"])
    assert 'class="problem"' not in page
    assert len({r["unit"] for r in chart_rows(spec_of(page)) if r.get("unit")}) == 1
    asked = get_page(flow, view="stacked", REF_AREA="HND,MEX,PAN", lang=language)
    assert 'class="problem"' in asked and markup.escape(translate("problem_mixed-units", language)) in asked
