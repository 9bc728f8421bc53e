"""The annotations .Stat's Data Explorer reads, in every structure format: ``ORDER`` on each code (its
position in the codelist) and ``NOT_DISPLAYED`` on a dataflow (its dimensions whose data hold one code).

Seen red: without the loader's ``ORDER`` entry the codes carry no ORDER; with ``not_displayed`` returning
nothing the dataflows carry no NOT_DISPLAYED."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree

from tests.sdmx.test_clients import run_sdmx1

COMMON = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"
JSON_1 = "application/vnd.sdmx.structure+json;version=1.0.0"
JSON_2 = "application/vnd.sdmx.structure+json;version=2.0.0"


def annotations_of(node: etree._Element) -> dict[str, str]:
    return {
        a.findtext(f"{COMMON}AnnotationType"): a.findtext(f"{COMMON}AnnotationTitle")
        for a in node.findall(f"{COMMON}Annotations/{COMMON}Annotation")
    }


def single_valued(catalog, flow: str) -> str:
    counts = catalog.code_counts(flow)
    dimensions = catalog.standard.dataflow(flow).structure.dimension_ids
    return ",".join(d for d in dimensions if len([c for c, n in counts[d].items() if n]) == 1)


def test_every_code_carries_its_position_as_order_in_sdmx_ml(live_url, catalog):
    response = httpx.get(f"{live_url}/codelist/PIVGM/CL_AGE", timeout=60)
    codes = etree.fromstring(response.content).findall(".//{*}Code")
    expected = [c.id for c in catalog.standard.codelists["CL_AGE"].codes]
    assert [c.get("id") for c in codes] == expected
    assert [annotations_of(c)["ORDER"] for c in codes] == [str(i) for i in range(1, len(expected) + 1)]


@pytest.mark.parametrize("accept", [JSON_1, JSON_2])
def test_every_code_carries_its_order_in_sdmx_json(live_url, accept):
    body = httpx.get(f"{live_url}/codelist/PIVGM/CL_SEX", headers={"Accept": accept}, timeout=60).json()
    (codelist,) = body["data"]["codelists"]
    orders = [next(a["title"] for a in code["annotations"] if a["type"] == "ORDER") for code in codelist["codes"]]
    assert orders == [str(i) for i in range(1, len(codelist["codes"]) + 1)]


@pytest.mark.parametrize("flow", ["DF_POPULATION", "DF_MISSING_MIGRANTS_INCIDENTS"])
def test_a_dataflow_hides_its_dimensions_with_one_code_in_every_format(live_url, catalog, flow):
    hidden = single_valued(catalog, flow)
    assert hidden  # each of these flows has a dimension with one code in the test store
    xml = etree.fromstring(httpx.get(f"{live_url}/dataflow/PIVGM/{flow}", timeout=60).content)
    assert annotations_of(xml.find(".//{*}Dataflow"))["NOT_DISPLAYED"] == hidden
    for accept in (JSON_1, JSON_2):
        body = httpx.get(f"{live_url}/dataflow/PIVGM/{flow}", headers={"Accept": accept}, timeout=60).json()
        (dataflow,) = body["data"]["dataflows"]
        assert {a["type"]: a["title"] for a in dataflow["annotations"]}["NOT_DISPLAYED"] == hidden, accept


def test_a_dataflow_whose_dimensions_all_vary_hides_none(live_url, catalog):
    assert single_valued(catalog, "DF_IRREGULAR_TRANSIT") == ""
    xml = etree.fromstring(httpx.get(f"{live_url}/dataflow/PIVGM/DF_IRREGULAR_TRANSIT", timeout=60).content)
    assert "NOT_DISPLAYED" not in annotations_of(xml.find(".//{*}Dataflow"))


def test_sdmx1_reads_the_order_and_not_displayed_annotations(live_url, catalog):
    found = run_sdmx1(
        live_url,
        """
        flow = client.dataflow("DF_POPULATION").dataflow["DF_POPULATION"]
        sex = client.codelist("CL_SEX").codelist["CL_SEX"]
        print(json.dumps({
            "hidden": str(flow.get_annotation(type="NOT_DISPLAYED").title),
            "order": [str(code.get_annotation(type="ORDER").title) for code in sex],
        }))
        """,
    )
    assert found["hidden"] == single_valued(catalog, "DF_POPULATION")
    assert found["order"] == [str(i) for i in range(1, len(catalog.standard.codelists["CL_SEX"].codes) + 1)]
