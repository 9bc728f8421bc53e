"""Errors are SDMX error messages with the standard's codes, never a 500; clients' URL and header habits
(encoded commas and pluses, trailing slashes, ``Accept: */*``) are all understood."""

from __future__ import annotations

import pytest
from lxml import etree

CODE = ".//{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}ErrorMessage"


def sdmx_error(response) -> int:
    return int(etree.fromstring(response.content).find(CODE).get("code"))


@pytest.mark.parametrize(
    ("path", "parameters", "status", "code"),
    [
        ("data/DF_NOPE", {}, 404, 100),
        ("data/DF_IRREGULAR_TRANSIT/M.XYZ....", {}, 404, 100),
        ("data/DF_IRREGULAR_TRANSIT/M.PAN....", {"startPeriod": "1900", "endPeriod": "1901"}, 404, 100),
        ("data/DF_IRREGULAR_TRANSIT/all/NOBODY", {}, 404, 100),
        ("data/DF_MIG_STOCK", {}, 404, 100),
        ("data/DF_IRREGULAR_TRANSIT/M.PAN", {}, 400, 140),
        ("data/DF_IRREGULAR_TRANSIT/M.P%AN....", {}, 400, 140),
        ("data/DF_IRREGULAR_TRANSIT", {"startPeriod": "last year"}, 400, 140),
        ("data/DF_IRREGULAR_TRANSIT", {"dimensionAtObservation": "COLOUR"}, 400, 140),
        ("data/DF_IRREGULAR_TRANSIT", {"lastNObservations": "-1"}, 400, 140),
        ("data/DF_IRREGULAR_TRANSIT", {"includeDrafts": "true"}, 401, 110),
        ("availableconstraint/DF_IRREGULAR_TRANSIT/all/all/COLOUR", {}, 400, 140),
        ("data/DF_IRREGULAR_TRANSIT", {"format": "generictimeseriesdata", "dimensionAtObservation": "SEX"}, 400, 140),
        ("whatever", {}, 400, 140),
        ("categoryscheme", {}, 404, 100),
        ("hierarchicalcodelist/PIVGM/H_NOPE", {}, 404, 100),
        ("v2/metadata/anything", {}, 501, 501),
    ],
)
def test_failures_answer_with_an_sdmx_error_message_and_the_standard_status(api, path, parameters, status, code):
    response = api.get(f"/sdmx/rest/{path}", params=parameters)
    assert response.status_code == status
    assert sdmx_error(response) == code


def test_an_unsupported_format_is_not_acceptable(api):
    response = api.get("/sdmx/rest/data/DF_IRREGULAR_TRANSIT", headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert "application/vnd.sdmx.data+csv" in response.text
    assert api.get("/sdmx/rest/dataflow", params={"format": "excel"}).status_code == 406


def test_errors_are_json_when_json_was_asked_for(api):
    response = api.get("/sdmx/rest/data/DF_NOPE", headers={"Accept": "application/vnd.sdmx.data+json;version=1.0.0"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["code"] == 100


def test_drafts_without_a_token_are_refused_with_a_message_saying_how_to_send_one(api):
    response = api.get("/sdmx/rest/data/DF_IRREGULAR_TRANSIT", params={"includeDrafts": "true"})
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.text and "/account/tokens" in response.text
    assert "Remove includeDrafts" in response.text and "published data" in response.text
    assert response.headers["cache-control"] == "private, no-store"


def test_encoded_paths_trailing_slashes_and_any_accept_are_understood(api):
    plain = api.get("/sdmx/rest/data/PIVGM,DF_IRREGULAR_TRANSIT,1.0/M.PAN+HND.VEN...", params={"format": "csv"})
    encoded = api.get(
        "/sdmx/rest/data/PIVGM%2CDF_IRREGULAR_TRANSIT%2C1.0/M.PAN%2BHND.VEN.../", params={"format": "csv"}
    )
    assert plain.status_code == encoded.status_code == 200
    assert plain.text == encoded.text
    for path in ("/sdmx/rest/dataflow/", "/sdmx/rest/dataflow/PIVGM/all/latest/", "/sdmx/rest/codelist/PIVGM/CL_SEX/"):
        response = api.get(path, headers={"Accept": "*/*"})
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("application/vnd.sdmx.structure+xml")
    data = api.get("/sdmx/rest/data/DF_IRREGULAR_TRANSIT/M.PAN.VEN.../", headers={"Accept": "*/*"})
    assert data.headers["content-type"].startswith("application/vnd.sdmx.genericdata+xml")


@pytest.mark.parametrize(
    "path",
    [
        "data/%00",
        "data/DF_IRREGULAR_TRANSIT/" + "." * 400,
        "data/,,,",
        "data/DF_IRREGULAR_TRANSIT/all/a,b,c",
        "codelist/PIVGM/CL_SEX/1.0/F/extra/more",
        "v2/data/dataflow",
        "v2/availability/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0/M.PAN.VEN.../TIME_PERIOD",
        "schema/dataflow/PIVGM",
        "availableconstraint/DF_IRREGULAR_TRANSIT/M.PAN.VEN.../all/SEX?mode=sideways",
    ],
)
def test_odd_requests_never_cause_a_server_error(api, path):
    assert api.get(f"/sdmx/rest/{path}").status_code < 500
