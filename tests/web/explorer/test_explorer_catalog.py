"""The catalog lists every dataflow with its coverage, last update and source, and searches both languages
ignoring accents and case."""

from __future__ import annotations

import re

from pivgm.structures import load_standard


def result_ids(html: str) -> list[str]:
    return re.findall(r'<li class="result" id="([A-Z0-9_]+)">', html)


def test_catalog_lists_every_dataflow_with_coverage_update_and_source(get_page):
    html = get_page("/catalog", lang="en")
    assert sorted(result_ids(html)) == sorted(load_standard().dataflows)
    transit = html.split('id="DF_IRREGULAR_TRANSIT"')[1].split("</li>")[0]
    assert "Honduras, Mexico, Panama" in transit  # countries covered
    assert "2010 – Apr 2025" in transit  # periods
    assert "Last update" in transit and "National Migration Service of Panama" in transit
    assert 'href="/explore/DF_IRREGULAR_TRANSIT?lang=en"' in transit


def test_search_ignores_accents_and_case(get_page):
    for query in ("Darién", "darien", "DARIEN"):
        assert result_ids(get_page("/catalog", q=query))[0] == "DF_IRREGULAR_TRANSIT", query
    with_accent = result_ids(get_page("/catalog", q="migración"))
    assert with_accent and result_ids(get_page("/catalog", q="migracion")) == with_accent


def test_search_finds_the_same_dataflow_in_spanish_and_in_english(get_page):
    assert result_ids(get_page("/catalog", q="remesas"))[0] == "DF_REMITTANCES"
    assert result_ids(get_page("/catalog", q="remittances", lang="en"))[0] == "DF_REMITTANCES"
    assert "DF_ASYLUM_APPLICATIONS" in result_ids(get_page("/catalog", q="solicitudes de asilo"))


def test_search_knows_which_countries_each_dataflow_covers(get_page):
    found = result_ids(get_page("/catalog", q="asilo México"))
    assert {"DF_ASYLUM_APPLICATIONS", "DF_ASYLUM_DECISIONS"} <= set(found)
    assert "DF_IRREGULAR_TRANSIT" not in result_ids(get_page("/catalog", q="tránsito Costa Rica"))


def test_search_offers_the_profiles_of_countries_it_names(get_page):
    html = get_page("/catalog", q="venezuela", lang="en")
    assert 'href="/country/VEN?lang=en"' in html


def test_search_without_a_match_says_so(get_page):
    html = get_page("/catalog", q="zzzz", lang="en")
    assert result_ids(html) == []
    assert "No dataset matches" in html


def test_a_theme_lists_only_its_dataflows(get_page):
    html = get_page("/catalog", theme="asylum", lang="en")
    assert sorted(result_ids(html)) == ["DF_ASYLUM_APPLICATIONS", "DF_ASYLUM_DECISIONS"]
