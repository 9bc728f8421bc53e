"""The home page shows the region at a glance in Spanish or English: headline figures of the latest releases,
a map of the region, links into each theme and country, and a chart and a table per dataflow."""

from __future__ import annotations

import re

import pytest

from pivgm.structures import load_standard


def test_home_page_is_spanish_by_default_and_lists_every_dataflow(client):
    client.cookies.clear()
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="es">' in response.text
    for dataflow in load_standard().dataflows.values():
        assert dataflow.name.get("es") in response.text


def test_home_page_in_english_uses_english_names_and_number_format(client):
    response = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in response.text
    assert "International migrant stock by destination, origin and sex" in response.text
    # Mexican-born people in the USA, 2024 edition: 11,279,561 (the headline of the migrant stock card)
    assert "11,279,561" in response.text
    assert response.cookies.get("lang") == "en"


def test_spanish_numbers_are_written_as_in_mexico_and_central_america(client):
    """es-419 by default (fails if the Spanish default locale is es-ES again); Spain's convention on request."""
    assert "11,279,561" in client.get("/", params={"lang": "es"}).text
    assert "11.279.561" in client.get("/", params={"lang": "es", "locale": "es-ES"}).text
    client.cookies.delete("locale")


def test_each_published_dataflow_has_a_chart_spec_and_a_table_alternative(client):
    text = client.get("/").text
    for dataflow_id in load_standard().dataflows:
        assert f'id="spec-{dataflow_id}"' in text, dataflow_id
        assert f'id="chart-{dataflow_id}"' in text
    assert text.count('class="data-table"') == len(load_standard().dataflows)


def test_pages_link_their_json_twin(client):
    response = client.get("/")
    assert response.headers["link"] == '</api/dataflows>; rel="alternate"; type="application/json"'


def test_page_assets_are_served_locally(client):
    text = client.get("/").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', text)
    external = [s for s in sources if s.startswith("http")]
    assert external == []
    for script in re.findall(r'<script src="([^"]+)"', text):
        assert client.get(script).status_code == 200, script


def test_home_page_gives_headline_figures_with_their_period_and_source(client):
    text = client.get("/", params={"lang": "en"}).text
    headlines = text.split('class="headlines"')[1].split("</ul>")[0]
    assert "Irregular transit through the Darién (Panama), by month" in headlines
    assert "Apr 2025" in headlines and "Source: National Migration Service of Panama" in headlines
    assert "/explore/DF_IRREGULAR_TRANSIT?" in headlines


def test_home_page_maps_the_region_and_links_each_country_profile(client):
    text = client.get("/", params={"lang": "en"}).text
    assert 'id="spec-region-map"' in text
    region = text.split('id="region-title"')[1].split("</section>")[0]
    assert "International migrants living in each country, 2024" in region
    assert '<a href="/country/MEX?lang=en">Mexico</a>' in region  # the map's table alternative
    assert 'href="/country/JAM?lang=en"' in text


def test_home_page_links_into_every_theme_and_the_explorer(client):
    text = client.get("/", params={"lang": "en"}).text
    for theme in {d.theme for d in load_standard().dataflows.values()}:
        assert f'href="/catalog?theme={theme}&amp;lang=en"' in text
    for dataflow_id in load_standard().dataflows:
        assert f'href="/explore/{dataflow_id}?' in text


def test_home_headline_equals_the_api_sum_for_the_same_selection(client):
    observations = client.get(
        "/api/data/DF_IRREGULAR_TRANSIT",
        params={"REF_AREA": "PAN", "FREQ": "M", "SEX": "_T", "AGE": "_T", "from": "2025-04", "to": "2025-04"},
    ).json()["observations"]
    total = sum(o["OBS_VALUE"] for o in observations)
    headlines = client.get("/", params={"lang": "en"}).text.split('class="headlines"')[1]
    assert f'<p class="headline-value">{total:,.0f}</p>' in headlines


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("es", ["Rutas", "Estadísticas espejo", "Calidad de los datos"]),
        ("en", ["Routes", "Mirror statistics", "Data quality"]),
    ],
)
def test_every_page_leads_to_the_route_view_mirror_statistics_and_the_quality_scorecard(client, language, names):
    """Fails if a link leaves the site's navigation: those pages were reachable only by typing their address."""
    for path, name in zip(("/routes", "/mirrors", "/quality"), names, strict=True):
        home = client.get("/", params={"lang": language}).text
        link = f'<a href="{path}?lang={language}">{name}</a>'
        assert link in home
        page = client.get(path, params={"lang": language})
        assert page.status_code == 200
        assert f'<a href="{path}?lang={language}" aria-current="page">{name}</a>' in page.text
