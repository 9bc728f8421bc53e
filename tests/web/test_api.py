"""The JSON API: dataflows, structures, data; clear errors, never a 500."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pivgm.structures import load_standard


def test_dataflow_list_names_every_dataflow_in_both_languages_with_its_release(client):
    body = client.get("/api/dataflows").json()
    listed = {flow["id"]: flow for flow in body["dataflows"]}
    assert set(listed) == set(load_standard().dataflows)
    for flow in listed.values():
        assert flow["name"]["es"] and flow["name"]["en"]
        assert flow["release"]["observations"] > 0
        assert flow["periods"]["first"] <= flow["periods"]["last"]


def test_dataflow_structure_lists_dimensions_with_codelists_and_data_counts(client):
    body = client.get("/api/dataflows/DF_MIG_STOCK").json()
    dimensions = {d["id"]: d for d in body["structure"]["dimensions"]}
    assert list(dimensions) == ["FREQ", "REF_AREA", "COUNTERPART_AREA", "SEX"]
    assert dimensions["REF_AREA"]["name"] == {"es": "País de destino", "en": "Country of destination"}
    mexico = next(c for c in dimensions["REF_AREA"]["codelist"]["codes"] if c["id"] == "MEX")
    assert mexico["name"] == {"es": "México", "en": "Mexico"}
    assert mexico["observations"] > 0
    assert body["metadata"]["source"]["en"].startswith("United Nations")
    assert {a["id"] for a in body["structure"]["attributes"]} >= {"UNIT_MEASURE", "OBS_STATUS"}


def test_data_filters_by_dimension_and_period(client):
    body = client.get(
        "/api/data/DF_MIG_STOCK",
        params={"REF_AREA": "USA", "COUNTERPART_AREA": "MEX", "from": "2020", "to": "2020"},
    ).json()
    by_sex = {row["SEX"]: row["OBS_VALUE"] for row in body["observations"]}
    assert by_sex["_T"] == 11_177_052
    assert by_sex["F"] + by_sex["M"] == by_sex["_T"]
    assert {row["TIME_PERIOD"] for row in body["observations"]} == {"2020"}
    assert body["observations"][0]["UNIT_MEASURE"] == "PS"


def test_several_codes_are_separated_by_commas_or_plus_signs(client):
    params = {"REF_AREA": "MEX,GTM", "SEX": "_T", "COUNTERPART_AREA": "USA"}
    with_commas = client.get("/api/data/DF_MIG_STOCK", params=params).json()
    with_plus = client.get("/api/data/DF_MIG_STOCK", params={**params, "REF_AREA": "MEX+GTM"}).json()
    assert with_commas["observations"] == with_plus["observations"]
    assert {row["REF_AREA"] for row in with_commas["observations"]} == {"MEX", "GTM"}


def test_darien_2023_total_through_the_api(client):
    body = client.get(
        "/api/data/DF_IRREGULAR_TRANSIT",
        params={"REF_AREA": "PAN", "SEX": "_T", "AGE": "_T", "from": "2023-01", "to": "2023-12"},
    ).json()
    by_nationality = [r for r in body["observations"] if r["CITIZENSHIP"] != "_T"]
    assert sum(r["OBS_VALUE"] for r in by_nationality) == 520_085


def test_csv_has_a_header_of_columns_and_the_same_numbers_as_json(client):
    params = {"REF_AREA": "USA", "COUNTERPART_AREA": "MEX", "SEX": "_T"}
    response = client.get("/api/data/DF_MIG_STOCK", params={**params, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    json_rows = client.get("/api/data/DF_MIG_STOCK", params=params).json()["observations"]
    assert [float(r["OBS_VALUE"]) for r in rows] == [r["OBS_VALUE"] for r in json_rows]
    assert rows[0].keys() >= {"REF_AREA", "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS"}


def test_paging_reports_the_total(client):
    body = client.get("/api/data/DF_MIG_STOCK", params={"limit": 10, "offset": 5}).json()
    assert body["count"] == 10
    assert body["total"] > 10


@pytest.mark.parametrize(
    ("url", "params", "fragment"),
    [
        ("/api/dataflows/DF_NOPE", {}, "DF_NOPE"),
        ("/api/data/DF_NOPE", {}, "DF_NOPE"),
        ("/api/data/DF_MIG_STOCK", {"REF_AREA": "XYZ"}, "XYZ"),
        ("/api/nothing-here", {}, "/api/nothing-here"),
    ],
)
def test_unknown_dataflows_codes_and_paths_are_404_with_a_json_error(client, url, params, fragment):
    response = client.get(url, params=params)
    assert response.status_code == 404
    assert fragment in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2020-13"},
        {"from": "0000"},
        {"to": "0000-01"},
        {"to": "last year"},
        {"from": "2021", "to": "2019"},
        {"limit": "ten"},
        {"limit": "0"},
        {"offset": "-1"},
        {"format": "xml"},
        {"NOT_A_DIMENSION": "X"},
        {"SEX": ""},
    ],
)
def test_malformed_parameters_are_422_with_a_json_error(client, params):
    response = client.get("/api/data/DF_MIG_STOCK", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(min_size=1, max_size=12),
    value=st.text(max_size=20),
)
def test_no_parameter_ever_causes_a_server_error(client, name, value):
    """Any parameter gets data or a JSON error; a NUL character anywhere in the query is a 400 by design."""
    response = client.get("/api/data/DF_MIG_STOCK", params={name: value, "limit": "3"})
    expected = {400} if "\x00" in name + value else {200, 404, 422}
    assert response.status_code in expected
    assert "error" in response.json() or "observations" in response.json()


def test_openapi_document_describes_the_data_endpoint(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/data/{dataflow_id}" in spec["paths"]
    assert "/api/dataflows" in spec["paths"]


def test_a_dataflow_says_how_many_decimals_each_unit_is_shown_with(client):
    """Values keep their full precision; ``decimals`` (SDMX DECIMALS) says how to show them."""
    body = client.get("/api/dataflows/DF_IND_REFUGEES_PER_1000").json()
    assert body["decimals"]["PER_1000"] == 2 and body["decimals"]["PS"] == 0
