"""A survey estimate's margin of error (OBS_MOE) travels with it through every SDMX format, and back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from pysdmx.api.dc.query import MultiFilter, Operator, TextFilter
from pysdmx.api.qb import ApiVersion, DataQuery, RestService
from pysdmx.api.qb.data import DataFormat
from pysdmx.io import read_sdmx

from pivgm.catalog import Catalog, DataSelection
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform
from pivgm.sources.base import SourceImporter
from pivgm.web.app import create_app
from pivgm.workflow.loading import load_source
from pivgm.workflow.pulling import observation_table
from tests.backends import settings_for
from tests.sdmx.conftest import load_platform
from tests.sdmx.live import live_server

FLOW = "DF_MIGRANT_CONDITIONS"
# Honduran-born without health insurance, 2009: 63.4 % ± 1.9 (ACS S0201)
KEY = "A.USA._T.HND.FB._T.UNINSURED._Z"
PERIOD = {"startPeriod": "2009", "endPeriod": "2009"}
GENERIC = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic}"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    return load_platform(tmp_path_factory.mktemp("moe"), ("us_census_acs",))


@pytest.fixture(scope="module")
def api(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def live_url(platform: Platform) -> Iterator[str]:
    with live_server(platform) as url:
        yield url


def fetch(api: TestClient, format_name: str) -> str:
    response = api.get(f"/sdmx/rest/data/{FLOW}/{KEY}", params={"format": format_name, **PERIOD})
    assert response.status_code == 200, response.text[:300]
    return response.text


@pytest.mark.parametrize("format_name", ["sdmx-csv-2.0", "csv"])
def test_sdmx_csv_has_an_obs_moe_column(api, format_name):
    (row,) = csv.DictReader(io.StringIO(fetch(api, format_name)))
    assert (row["OBS_VALUE"], row["OBS_MOE"]) == ("63.4", "1.9")


def test_structure_specific_xml_has_obs_moe_on_the_observation(api):
    (obs,) = etree.fromstring(fetch(api, "structurespecificdata").encode()).iter("Obs")
    assert (obs.get("OBS_VALUE"), obs.get("OBS_MOE")) == ("63.4", "1.9")


def test_generic_xml_has_obs_moe_among_the_observation_attributes(api):
    (obs,) = etree.fromstring(fetch(api, "genericdata").encode()).iter(f"{GENERIC}Obs")
    values = {v.get("id"): v.get("value") for v in obs.iter(f"{GENERIC}Value")}
    assert values["OBS_MOE"] == "1.9"


@pytest.mark.parametrize(("format_name", "structure_key"), [("jsondata", "structure"), ("sdmx-json-2.0", "structures")])
def test_sdmx_json_has_obs_moe_as_an_observation_attribute(api, format_name, structure_key):
    data = json.loads(fetch(api, format_name))["data"]
    structure = data[structure_key] if structure_key == "structure" else data[structure_key][0]
    attributes = structure["attributes"]["observation"]
    position = [a["id"] for a in attributes].index("OBS_MOE")
    ((observation,),) = [list(s["observations"].values()) for s in data["dataSets"][0]["series"].values()]
    assert observation[0] == 63.4
    value = attributes[position]["values"][observation[1 + position]]
    assert value.get("value", value.get("name")) == "1.9"  # a free-text attribute: no id, its text


@pytest.mark.parametrize("data_format", [DataFormat.SDMX_CSV_2_0_0, DataFormat.SDMX_ML_2_1_STR])
def test_pysdmx_over_http_reads_the_margin_of_error(live_url, data_format):
    """pysdmx's RestService against a real server (uvicorn on loopback), v2 paths."""
    service = RestService(f"{live_url}/v2", ApiVersion.V2_0_0, data_format=data_format, timeout=60)
    since = TextFilter("TIME_PERIOD", Operator.GREATER_THAN_OR_EQUAL, "2009")
    until = TextFilter("TIME_PERIOD", Operator.LESS_THAN_OR_EQUAL, "2009")
    query = DataQuery(
        agency_id="PIVGM", resource_id=FLOW, version="1.0", key=KEY, components=MultiFilter([since, until])
    )
    (dataset,) = read_sdmx(service.data(query).decode()).data
    (record,) = dataset.data.to_dict("records")
    assert (float(record["OBS_VALUE"]), str(record["OBS_MOE"])) == (63.4, "1.9")


@pytest.mark.parametrize("format_name", ["sdmx-csv-2.0", "structurespecificdata", "genericdata"])
def test_every_margin_survives_an_export_read_back_into_a_fresh_store(api, platform, tmp_path, format_name):
    response = api.get(f"/sdmx/rest/data/{FLOW}", params={"format": format_name})
    path = tmp_path / ("export.csv" if "csv" in format_name else "export.xml")
    path.write_bytes(response.content)
    dataflow = platform.standard.dataflow(FLOW)

    class Exported(SourceImporter):
        dataflow_id: ClassVar[str] = FLOW
        provider_id: ClassVar[str] = "ROUND_TRIP"
        provider_name: ClassVar[dict[str, str]] = {"es": "Ida y vuelta", "en": "Round trip"}
        files: ClassVar[tuple[str, ...]] = (path.name,)

        def read(self, directory: Path = tmp_path) -> pa.Table:
            return observation_table(directory / path.name, dataflow)

    Exported.id = f"moe_{format_name}"
    fresh = Platform.initialise(settings_for(tmp_path / "fresh"))
    load_source(Exported(), fresh.standard, fresh.records, fresh.warehouse, directory=tmp_path)
    columns = [*dataflow.structure.dimension_ids, "TIME_PERIOD", "OBS_VALUE", "OBS_MOE"]
    original = Catalog(PublishedData(platform)).data(FLOW, DataSelection()).table.select(columns).to_pylist()
    reloaded = Catalog(PublishedData(fresh)).data(FLOW, DataSelection()).table.select(columns).to_pylist()
    key = lambda row: tuple(str(row[c]) for c in columns)  # noqa: E731
    assert sorted(reloaded, key=key) == sorted(original, key=key)
    assert sum(1 for row in reloaded if row["OBS_MOE"]) > 17_000
