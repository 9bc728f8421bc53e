"""Country profiles gather what is published about a country; each block links to the explorer view it came
from, which shows the same figures."""

from __future__ import annotations

import re

from tests.web.explorer.explorer_helpers import spec_of


def blocks(html: str) -> dict[str, str]:
    found = re.findall(r'<section class="card profile-block" id="([a-z_]+)"(.*?)</section>', html, re.S)
    return dict(found)


def test_a_profile_shows_stocks_refugees_transits_returns_remittances_and_population(get_page):
    html = get_page("/country/GTM", lang="en")
    assert "<h1>Guatemala</h1>" in html
    assert {"stock_in", "stock_out", "refugees_hosted", "returns", "remittances", "population"} <= set(blocks(html))
    stock_out = blocks(html)["stock_out"]
    assert "Main countries of destination" in stock_out and ">United States</a>" in stock_out


def test_each_block_links_to_the_explorer_view_with_the_same_figures(client, get_page):
    html = get_page("/country/MEX", lang="en")
    for block_id, block in blocks(html).items():
        href = re.search(r'<a class="button small" href="([^"]+)"', block).group(1).replace("&amp;", "&")
        figure = re.search(r'<span class="headline-value small">([^<]+)</span>', block)
        explorer = client.get(href)
        assert explorer.status_code == 200, (block_id, href)
        if figure is None:
            continue
        values = {row["text"] for row in spec_of(explorer.text)["data"]["values"]}
        assert figure.group(1) in values, block_id


def test_a_profile_leaves_out_what_the_country_does_not_report(get_page):
    assert "transits_recorded" not in blocks(get_page("/country/CRI"))
    assert "transits_recorded" in blocks(get_page("/country/PAN"))


def test_an_unknown_country_is_a_page_that_says_where_to_look(client):
    response = client.get("/country/XYZ", params={"lang": "en"})
    assert response.status_code == 404
    assert "/countries" in response.text


def test_the_country_index_lists_the_region_first(get_page):
    html = get_page("/countries", lang="en")
    region, others = html.split("Other countries of the Americas")
    assert 'href="/country/GTM?lang=en"' in region and 'href="/country/JAM?lang=en"' in region
    assert 'href="/country/BRA?lang=en"' in others


def test_a_profile_has_a_json_twin_with_each_block_api_query(client):
    page = client.get("/country/GTM", params={"lang": "en"})
    twin = page.headers["link"].split(">")[0].lstrip("<")
    assert twin == "/country/GTM?format=json"
    body = client.get(twin).json()
    assert body["country"] == {"id": "GTM", "name": {"es": "Guatemala", "en": "Guatemala"}}
    population = next(b for b in body["blocks"] if b["id"] == "population")
    assert population["data"] == "/api/data/DF_POPULATION?REF_AREA=GTM"
    latest = client.get(population["data"]).json()["observations"][-1]
    assert population["latest"][0]["period"] == latest["TIME_PERIOD"]


def test_no_profile_ranks_a_country_twice_or_a_total_or_unknown_area(client, get_page):
    """Every country the index offers: each "main countries" list names countries only, each once (refugees
    and asylum-seekers added up, not ranked side by side). Red before the fix: 99 lists repeated countries."""
    index = get_page("/countries", lang="en")
    countries = re.findall(r'href="/country/([A-Z]{3})\?lang=en"', index)
    assert len(countries) > 40
    for code in countries:
        html = get_page(f"/country/{code}", lang="en")
        for listing in re.findall(r'<ol class="top-list">(.*?)</ol>', html, re.S):
            names = re.findall(r'<li><span><a href="/country/[A-Z]{3}\?lang=en">([^<]+)</a>', listing)
            assert names and len(names) == listing.count("<li>"), (code, listing[:300])  # every entry a country
            assert len(names) == len(set(names)), (code, names)


def test_a_five_yearly_stock_is_drawn_as_a_line_not_loose_dots(get_page):
    """UN DESA's stock (1990, 1995, … 2020, 2024) is regular but sparse: the years between are not missing
    figures, so the line joins its points (it was broken at every year between, leaving dots)."""
    html = get_page("/country/GTM", lang="en")
    charts = re.findall(r'<script type="application/json" id="spec-([a-z_-]+)">', html)
    stocks = [spec_of(html, c) for c in charts if c.startswith("stock")]
    rows = [r for spec in stocks for r in spec["data"]["values"]]
    years = sorted({r["period"] for r in rows if r.get("value") is not None})
    assert len(years) >= 5 and "1995" in years and "2020" in years, years
    between = [r for r in rows if r["period"].isdigit() and years[0] < r["period"] < years[-1]]
    assert not [r for r in between if r.get("value") is None]  # no break in the line
