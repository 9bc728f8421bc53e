"""The explorer draws every view from the observations the data API returns for the same selection, says
when a selection is too large for a chart, and keeps the whole view in its URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from pivgm.structures import load_standard
from tests.web.explorer.explorer_helpers import api_observations, chart_rows, spec_of

VIEWS = ("line", "bar", "stacked", "ranked", "pyramid", "map", "flows", "table")
VENEZUELANS_2023 = {"CITIZENSHIP": "VEN", "from": "2023-01", "to": "2023-12"}
SAME_IN_THE_API = {
    "FREQ": "M",
    "REF_AREA": "PAN",
    "CITIZENSHIP": "VEN",
    "SEX": "_T",
    "AGE": "_T",
    "ACCOMPANIMENT": "_T",
}


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("dataflow_id", sorted(load_standard().dataflows))
def test_every_view_of_every_dataflow_is_drawn_or_explained(client, dataflow_id, view):
    response = client.get(f"/explore/{dataflow_id}", params={"view": view})
    assert response.status_code == 200, response.text[:300]
    html = response.text
    drawn = 'id="spec-view"' in html or 'id="pivot-table"' in html
    explained = 'class="problem"' in html
    assert drawn != explained


def test_chart_numbers_equal_the_api_observations_for_the_same_selection(client, get_page):
    rows = chart_rows(spec_of(get_page("/explore/DF_IRREGULAR_TRANSIT", **VENEZUELANS_2023)))
    api = api_observations(client, "DF_IRREGULAR_TRANSIT", {**SAME_IN_THE_API, "from": "2023-01", "to": "2023-12"})
    assert [r["value"] for r in rows] == [o["OBS_VALUE"] for o in api]
    assert len(rows) == 12 and rows[0]["value"] == 2337


def test_added_up_figures_equal_the_sum_of_the_api_observations(client, get_page):
    rows = chart_rows(spec_of(get_page("/explore/DF_IRREGULAR_TRANSIT", **{"from": "2024-01", "to": "2024-03"})))
    params = {k: v for k, v in SAME_IN_THE_API.items() if k != "CITIZENSHIP"}
    api = api_observations(client, "DF_IRREGULAR_TRANSIT", {**params, "from": "2024-01", "to": "2024-03"})
    for row, period in zip(rows, ("2024-01", "2024-02", "2024-03"), strict=True):
        assert row["value"] == sum(o["OBS_VALUE"] for o in api if o["TIME_PERIOD"] == period)
        assert row["n"] == sum(1 for o in api if o["TIME_PERIOD"] == period) > 1


def test_the_page_links_the_data_api_query_of_its_selection(client):
    response = client.get("/explore/DF_IRREGULAR_TRANSIT", params=VENEZUELANS_2023)
    link = response.headers["link"].split(">")[0].lstrip("<")
    assert urlsplit(link).path == "/api/data/DF_IRREGULAR_TRANSIT"
    assert dict(parse_qsl(urlsplit(link).query)) == {**SAME_IN_THE_API, "from": "2023-01", "to": "2023-12"}


def test_too_many_series_is_said_with_narrower_selections_offered(client, get_page):
    html = get_page("/explore/DF_IRREGULAR_TRANSIT", CITIZENSHIP="*", series="CITIZENSHIP", lang="en")
    assert 'class="problem"' in html and "series" in html and 'id="spec-view"' not in html
    assert "Keep the 5 largest of Citizenship" in html and "Add up Citizenship" in html
    narrower = html.split("Keep the 5 largest")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    chart = spec_of(get_page(narrower))
    assert len({row["series"] for row in chart_rows(chart)}) == 5


def test_the_filter_form_redirects_to_the_canonical_url_of_the_same_view(client):
    form = [("lang", "en"), ("view", "bar"), ("from", "2023-01"), ("to", "2023-12"), ("layout.TIME_PERIOD", "cols")]
    form += [("CITIZENSHIP", "*"), ("CITIZENSHIP", "VEN"), ("CITIZENSHIP", "COL"), ("layout.CITIZENSHIP", "series")]
    response = client.get("/explore/DF_IRREGULAR_TRANSIT", params=form, follow_redirects=False)
    assert response.status_code == 303
    target = response.headers["location"]
    query = dict(parse_qsl(urlsplit(target).query))
    assert query["CITIZENSHIP"] == "VEN,COL" and query["view"] == "bar" and query["series"] == "CITIZENSHIP"
    assert query["lang"] == "en"
    assert client.get(target).status_code == 200


def test_every_code_selected_is_written_as_a_star(client):
    codes = [("FREQ", "*"), ("FREQ", "A"), ("FREQ", "M"), ("layout.FREQ", "series")]
    response = client.get("/explore/DF_IRREGULAR_TRANSIT", params=codes, follow_redirects=False)
    assert dict(parse_qsl(urlsplit(response.headers["location"]).query))["FREQ"] == "*"


def test_opening_the_shared_url_reproduces_the_view(client, get_page):
    first = get_page("/explore/DF_MIG_STOCK", view="bar", COUNTERPART_AREA="MEX,GTM", lang="en")
    shared = first.split('id="share-url" type="text" readonly value="')[1].split('"')[0].replace("&amp;", "&")
    again = get_page(urlsplit(shared).path + "?" + urlsplit(shared).query)
    assert spec_of(again) == spec_of(first)


@pytest.mark.parametrize(
    ("params", "status", "spanish", "english"),
    [
        ({"FOO": "1"}, 422, "no tiene la dimensión «FOO»: quítela", "has no dimension 'FOO': remove it"),
        ({"asOf": "x"}, 422, "no tiene la dimensión «asOf»", "has no dimension 'asOf'"),
        ({"CITIZENSHIP": "XYZ"}, 404, "El código «XYZ» no está en CL_AREA", "Code 'XYZ' is not in CL_AREA"),
        ({"from": "2023-13"}, 422, "El periodo «2023-13» de «from» no es válido", "'2023-13' is not valid"),
        ({"from": "0000"}, 422, "El periodo «0000» de «from» no es válido", "its year must be 0001 or later"),
        ({"view": "pie"}, 422, "La vista «pie» no existe", "View 'pie' does not exist"),
        ({"sum": "TIME_PERIOD"}, 422, "solo puede ir a filas o a columnas", "rows or columns"),
        ({"rows": "FOO"}, 422, "nombra «FOO», que no es una dimensión", "names 'FOO', which is not a dimension"),
    ],
)
def test_bad_parameters_get_a_page_that_says_what_is_wrong_in_its_language(client, params, status, spanish, english):
    """Fails if the error page shows the error's English message on a Spanish page (``said_in``)."""
    for language, words in (("es", spanish), ("en", english)):
        response = client.get("/explore/DF_IRREGULAR_TRANSIT", params={**params, "lang": language})
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert words in response.text.replace("&#39;", "'"), language


def test_an_unknown_dataflow_or_country_is_a_404_page_in_its_language(client):
    for path, spanish, english in (
        ("/explore/DF_NOPE", "El conjunto de datos «DF_NOPE» no existe", "Dataflow 'DF_NOPE' does not exist"),
        ("/country/ZZZ", "«ZZZ» no es un código de país", "'ZZZ' is not a country code"),
    ):
        for language, words in (("es", spanish), ("en", english)):
            response = client.get(path, params={"lang": language})
            assert response.status_code == 404
            assert words in response.text.replace("&#39;", "'"), (path, language)


def test_filters_list_codes_with_names_and_counts_in_the_page_language(get_page):
    html = get_page("/explore/DF_IRREGULAR_TRANSIT", lang="en", **VENEZUELANS_2023)
    panel = html.split('id="dim-CITIZENSHIP"')[1].split("</details>")[0]
    assert 'value="VEN" checked' in panel and "Venezuela" in panel
    assert 'class="code-search"' in panel  # a long codelist can be searched
    assert 'data-select="all"' in panel and 'data-select="none"' in panel
    assert "Burkina Faso" in panel and "Côte d" in panel


def test_numbers_and_months_follow_the_language(get_page):
    english = get_page("/explore/DF_IRREGULAR_TRANSIT", view="table", lang="en", **VENEZUELANS_2023)
    spanish = get_page("/explore/DF_IRREGULAR_TRANSIT", view="table", lang="es", **VENEZUELANS_2023)
    assert "Jan 2023" in english and "328,650" in english  # 2023 total of the row
    assert "ene. 2023" in spanish and "328,650" in spanish  # es-419, as in Mexico and Central America
    assert '<html lang="en">' in english and '<html lang="es">' in spanish


def test_the_table_adds_up_flows_over_time_but_not_stocks(get_page):
    flows = get_page("/explore/DF_IRREGULAR_TRANSIT", view="table", lang="en", **VENEZUELANS_2023)
    assert "328,650" in flows.split("</thead>")[1]
    stocks = get_page("/explore/DF_MIG_STOCK", view="table", lang="en", rows="COUNTERPART_AREA")
    body = stocks.split('id="pivot-table"')[1]
    assert ">Sum<" in body  # origins may be added up within a year...
    header = body.split("<thead>")[1].split("</thead>")[0]
    assert "Sum" not in header  # ...but stocks of different years may not


def test_ranked_bars_sum_flows_over_the_period(get_page):
    html = get_page("/explore/DF_IRREGULAR_TRANSIT", view="ranked", CITIZENSHIP="*", series="CITIZENSHIP", lang="en")
    *rows, others = chart_rows(spec_of(html))
    assert rows[0]["label"] == "Venezuela" and rows == sorted(rows, key=lambda r: -r["value"])
    assert others["label"] == "Others"  # the rest, added up, comes last whatever its size
    assert "Each figure is the sum of the selected periods" in html


def test_the_map_joins_country_codes_to_the_atlas_and_keeps_small_states_visible(get_page):
    spec = spec_of(get_page("/explore/DF_POPULATION", view="map", REF_AREA="*", lang="en"))
    choropleth, dots = spec["layer"]
    rows = next(t for t in choropleth["transform"] if "lookup" in t)["from"]["data"]["values"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["484"]["label"] == "Mexico"  # ISO 3166 numeric 484 = MEX in the TopoJSON
    assert by_id["484"]["band"] and choropleth["encoding"]["color"]["title"] == "Persons"
    small = {d["label"] for d in dots["data"]["values"]}
    assert {"Antigua and Barbuda", "Barbados", "Saint Lucia"} <= small and "Mexico" not in small


def test_the_origin_destination_view_ranks_corridors(get_page):
    html = get_page("/explore/DF_MIG_STOCK", view="flows", REF_AREA="*", COUNTERPART_AREA="*", lang="en")
    lines = spec_of(html)["layer"][1]["data"]["values"]
    assert lines[0]["label"] == "Mexico → United States"
    assert lines[0]["geometry"]["type"] == "LineString"
    table = html.split('id="alternative-table"')[1]
    assert table.index("Mexico") < table.index("Canada")


def test_the_pyramid_draws_women_and_men_by_age(get_page):
    params = {"SEX": "F,M", "AGE": "*", "ACCOMPANIMENT": "*", "sum": "ACCOMPANIMENT,CITIZENSHIP", "view": "pyramid"}
    rows = chart_rows(spec_of(get_page("/explore/DF_IRREGULAR_TRANSIT", lang="en", **params, **{"from": "2023-01"})))
    assert {r["sexcode"] for r in rows} == {"F", "M"}
    assert all((r["signed"] < 0) == (r["sexcode"] == "M") for r in rows)
    assert {r["age"] for r in rows} >= {"Under 18 years", "18 years or over"}


def test_the_context_of_the_figures_is_beside_them(get_page):
    html = get_page("/explore/DF_IRREGULAR_TRANSIT", lang="en", **VENEZUELANS_2023)
    context = html.split('id="context-title"')[1]
    for words in ("Unit", "Persons", "National Migration Service of Panama", "Published", "Comparability"):
        assert words in context
    assert "Do not add countries up" in context
    assert "Observation status" in context


def test_the_chart_is_offered_as_png_svg_and_as_an_embed(get_page):
    html = get_page("/explore/DF_IRREGULAR_TRANSIT", lang="en", **VENEZUELANS_2023)
    assert 'data-export="png"' in html and 'data-export="svg"' in html
    assert "&lt;iframe src=&#34;http://testserver/explore/DF_IRREGULAR_TRANSIT/embed?" in html or (
        "&lt;iframe src=" in html and "/embed?" in html
    )
    embed = get_page("/explore/DF_IRREGULAR_TRANSIT/embed", lang="en", **VENEZUELANS_2023)
    assert spec_of(embed) == spec_of(html)
    assert "See on PIVGM" in embed


@pytest.mark.parametrize(("language", "years", "months"), [("es", "Anual", "Mensual"), ("en", "Annual", "Monthly")])
def test_the_period_lists_group_years_apart_from_months(client, language, years, months):
    """A monthly flow offers its years in one group and its months in another (fails if they are mixed
    again in one long list)."""
    html = client.get("/explore/DF_IRREGULAR_TRANSIT", params={"lang": language}).text
    start = html.split('<select id="from"')[1].split("</select>")[0]
    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', start, re.S)
    assert [label for label, _ in groups] == [years, months]
    values = [re.findall(r'value="([^"]+)"', options) for _, options in groups]
    assert values[0] and all(re.fullmatch(r"\d{4}", v) for v in values[0])
    assert values[1] and all(re.fullmatch(r"\d{4}-\d{2}", v) for v in values[1])
    assert values[1] == sorted(values[1])
