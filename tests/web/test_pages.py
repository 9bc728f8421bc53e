"""The home page shows real figures in Spanish or English, with a chart and a table per dataflow."""

from __future__ import annotations

import re

from pivgm.structures import load_standard


def test_home_page_is_spanish_by_default_and_lists_every_dataflow(client):
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


def test_spanish_numbers_use_a_dot_for_thousands(client):
    assert "11.279.561" in client.get("/", params={"lang": "es"}).text


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
