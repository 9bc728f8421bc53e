"""DECIMALS: each series states how many decimals it is published with, a series attribute coded by CL_DECIMALS
(names in Spanish and English), computed on read from its unit and the dataflow's metadata (counts 0, rates
as the dataflow says, derived indicators included), so releases published before it existed carry it too.
Read over real HTTP by sdmx1 and pysdmx, in every structure and data format."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from pysdmx.api.fmr import RegistryClient
from pysdmx.api.qb import ApiVersion, DataQuery, RestService
from pysdmx.api.qb.data import DataFormat
from pysdmx.io import read_sdmx

from tests.sdmx.test_clients import run_sdmx1

TRANSIT = "DF_IRREGULAR_TRANSIT"
CHANGE = "DF_IND_TRANSIT_YOY"  # derived: year-on-year change in percent


def get(url: str, accept: str | None = None) -> httpx.Response:
    response = httpx.get(url, headers={"Accept": accept} if accept else {}, timeout=60)
    assert response.status_code == 200, response.text[:500]
    return response


def csv_rows(url: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(get(url).text)))


def test_the_data_structures_declare_decimals_as_a_coded_series_attribute_in_every_structure_format(live_url):
    ml_21 = get(f"{live_url}/datastructure/PIVGM/DSD_IRREGULAR_TRANSIT?references=children").text
    assert '<structure:Attribute id="DECIMALS"' in ml_21 and '<structure:Codelist id="CL_DECIMALS"' in ml_21
    assert "Un decimal" in ml_21 and "One decimal" in ml_21
    ml_30 = get(
        f"{live_url}/v2/structure/datastructure/PIVGM/DSD_IRREGULAR_TRANSIT/1.0",
        "application/vnd.sdmx.structure+xml;version=3.0.0",
    ).text
    assert '<structure:Attribute id="DECIMALS"' in ml_30
    for accept in (
        "application/vnd.sdmx.structure+json;version=1.0.0",
        "application/vnd.sdmx.structure+json;version=2.0.0",
    ):
        body = get(f"{live_url}/datastructure/PIVGM/DSD_IRREGULAR_TRANSIT", accept).json()
        (structure,) = body["data"]["dataStructures"]
        components = structure["dataStructureComponents"]["attributeList"]["attributes"]
        (decimals,) = [a for a in components if a["id"] == "DECIMALS"]
        assert "CL_DECIMALS" in json.dumps(decimals["localRepresentation"])


def test_sdmx1_reads_decimals_in_the_structure_and_in_generic_data(live_url):
    found = run_sdmx1(
        live_url,
        f"""
        dsd = client.datastructure("DSD_IND_TRANSIT_YOY", params={{"references": "children"}})
        attribute = dsd.structure["DSD_IND_TRANSIT_YOY"].attributes.get("DECIMALS")
        names = dsd.codelist["CL_DECIMALS"]["1"].name
        data = client.data("{CHANGE}", key="M.PAN.VEN", params={{"lastNObservations": 1}})
        series = list(data.data[0].series)[0]
        print(json.dumps({{
            "codelist": attribute.local_representation.enumerated.id,
            "es": names.localizations["es"], "en": names.localizations["en"],
            "decimals": str(series.attrib["DECIMALS"].value),
        }}))
        """,
    )
    assert found == {"codelist": "CL_DECIMALS", "es": "Un decimal", "en": "One decimal", "decimals": "1"}


@pytest.mark.parametrize(
    "data_format",
    [DataFormat.SDMX_ML_2_1_STR, DataFormat.SDMX_ML_2_1_GEN, DataFormat.SDMX_CSV_2_0_0, DataFormat.SDMX_CSV_1_0_0],
)
def test_pysdmx_reads_decimals_of_counts_and_of_a_derived_rate_in_each_data_format(live_url, data_format):
    service = RestService(f"{live_url}/v2", ApiVersion.V2_0_0, data_format=data_format, timeout=60)
    for flow, key, places in ((TRANSIT, "M.PAN.VEN...", "0"), (CHANGE, "M.PAN.VEN", "1")):
        body = service.data(DataQuery(agency_id="PIVGM", resource_id=flow, version="1.0", key=key))
        (dataset,) = read_sdmx(body.decode()).data
        assert {str(v) for v in dataset.data["DECIMALS"]} == {places}, flow


def test_pysdmx_schema_holds_decimals_with_its_codes(live_url):
    schema = RegistryClient(f"{live_url}/v2", timeout=60).get_schema("dataflow", "PIVGM", CHANGE, "1.0")
    decimals = schema.components["DECIMALS"]
    assert {code.id for code in decimals.enumeration} >= {"0", "1", "2"}


def test_sdmx_csv_and_json_carry_decimals_beside_the_unit(live_url):
    rows = csv_rows(f"{live_url}/data/{CHANGE}/M.PAN.VEN?format=csv&lastNObservations=1")
    assert list(rows[0])[-6:] == ["UNIT_MEASURE", "UNIT_MULT", "DECIMALS", "OBS_STATUS", "CONF_STATUS", "OBS_COMMENT"]
    assert (rows[0]["UNIT_MEASURE"], rows[0]["DECIMALS"]) == ("PT", "1")
    body = get(
        f"{live_url}/data/{CHANGE}/M.PAN.VEN?lastNObservations=1", "application/vnd.sdmx.data+json;version=2.0.0"
    )
    message = body.json()["data"]
    series_attributes = message["structures"][0]["attributes"]["series"]
    position = [a["id"] for a in series_attributes].index("DECIMALS")
    (series,) = message["dataSets"][0]["series"].values()
    assert series_attributes[position]["values"][series["attributes"][position]]["id"] == "1"


def test_v2_attributes_decimals_keeps_only_decimals(live_url):
    rows = csv_rows(f"{live_url}/v2/data/dataflow/PIVGM/{TRANSIT}/1.0/M.PAN.VEN...?attributes=DECIMALS&format=csv")
    assert list(rows[0])[-3:] == ["TIME_PERIOD", "OBS_VALUE", "DECIMALS"] and {r["DECIMALS"] for r in rows} == {"0"}
