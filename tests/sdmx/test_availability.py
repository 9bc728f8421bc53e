"""Availability queries tell which codes have data, as an actual content constraint."""

from __future__ import annotations

from lxml import etree

from pivgm.catalog import DataSelection

NS = {
    "s": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "c": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
}


def cube(api, path: str, **parameters: str) -> dict[str, list[str]]:
    response = api.get(f"/sdmx/rest/{path}", params=parameters)
    assert response.status_code == 200, response.text
    region = etree.fromstring(response.content).find(".//s:ContentConstraint/s:CubeRegion", NS)
    values: dict[str, list[str]] = {}
    for key in region.findall("c:KeyValue", NS):
        values[key.get("id")] = [v.text for v in key.findall("c:Value", NS)] or [
            key.find("c:TimeRange/c:StartPeriod", NS).text,
            key.find("c:TimeRange/c:EndPeriod", NS).text,
        ]
    return values


def test_the_constraint_lists_the_codes_with_data_for_the_key(api, catalog):
    values = cube(api, "availableconstraint/DF_IRREGULAR_TRANSIT/.HND....")
    rows = catalog.data("DF_IRREGULAR_TRANSIT", DataSelection(filters={"REF_AREA": ["HND"]})).table
    assert values["REF_AREA"] == ["HND"]
    assert values["CITIZENSHIP"] == sorted(set(rows.column("CITIZENSHIP").to_pylist()))
    periods = rows.column("TIME_PERIOD").to_pylist()
    assert values["TIME_PERIOD"] == [min(periods), max(periods)]


def test_one_component_can_be_asked_for(api):
    values = cube(api, "availableconstraint/DF_IRREGULAR_TRANSIT/.PAN+HND..F../all/SEX")
    assert set(values) == {"SEX", "TIME_PERIOD"}
    assert values["SEX"] == ["F"]


def test_mode_available_lists_the_codes_that_could_be_added_to_the_key(api):
    exact = cube(api, "availableconstraint/DF_IRREGULAR_TRANSIT/.PAN....", mode="exact")
    available = cube(api, "availableconstraint/DF_IRREGULAR_TRANSIT/.PAN....", mode="available")
    assert exact["REF_AREA"] == ["PAN"]
    assert available["REF_AREA"] == ["HND", "PAN"]


def test_the_v2_availability_path_gives_the_same_answer(api):
    v1 = cube(api, "availableconstraint/DF_IRREGULAR_TRANSIT/M.PAN.VEN...")
    v2 = cube(api, "v2/availability/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0/M.PAN.VEN...")
    assert v1 == v2


def test_availability_with_references_brings_codelists_cut_to_the_codes_with_data(api):
    response = api.get("/sdmx/rest/availableconstraint/DF_IRREGULAR_TRANSIT/.HND....", params={"references": "all"})
    document = etree.fromstring(response.content)
    area = document.find(".//s:Codelist[@id='CL_AREA']", NS)
    codes = {c.get("id") for c in area.findall("s:Code", NS)}
    with_data = cube(api, "availableconstraint/DF_IRREGULAR_TRANSIT/.HND....")
    assert area.get("isPartial") == "true"
    assert codes == set(with_data["REF_AREA"]) | set(with_data["CITIZENSHIP"])
    assert document.find(".//s:DataStructure[@id='DSD_IRREGULAR_TRANSIT']", NS) is not None
