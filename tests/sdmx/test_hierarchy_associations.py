"""SDMX 3.0 hierarchy associations on v2: the regions of the Americas (H_M49_AMERICAS) linked to the reporting
area of each dataflow reported in the Americas, so a client reading a dataflow's schema (pysdmx's registry
client) gets the area dimension as that tree. SDMX 2.1 formats have no such artefact."""

from __future__ import annotations

import httpx
from pysdmx.api.fmr import RegistryClient
from pysdmx.model import Hierarchy

FLOW = "DF_IRREGULAR_TRANSIT"
ML_3 = "application/vnd.sdmx.structure+xml;version=3.0.0"
JSON_2 = "application/vnd.sdmx.structure+json;version=2.0.0"


def test_pysdmx_reads_the_regions_of_the_americas_as_the_reporting_area_of_a_dataflow_schema(live_url):
    """Seen red without the dataflow's parents: get_schema gave REF_AREA as a plain codelist."""
    schema = RegistryClient(f"{live_url}/v2", timeout=60).get_schema("dataflow", "PIVGM", FLOW, "1.0")
    area = schema.components["REF_AREA"].local_codes
    assert isinstance(area, Hierarchy) and area.id == "H_M49_AMERICAS"
    (americas,) = area.codes
    regions = {code.id: code for code in americas.codes}
    assert set(regions) == {"NAC", "LAC"}
    central = next(code for code in regions["LAC"].codes if code.id == "CAM")
    assert {"HND", "PAN", "MEX"} <= {code.id for code in central.codes}
    assert "urn:sdmx:org.sdmx.infomodel.codelist.Hierarchy=PIVGM:H_M49_AMERICAS(1.0)" in schema.artefacts
    citizenship = schema.components["CITIZENSHIP"].local_codes
    assert not isinstance(citizenship, Hierarchy)  # nationalities from every continent: no tree of the Americas


def test_a_dataflow_with_countries_of_asylum_worldwide_has_no_association(live_url):
    schema = RegistryClient(f"{live_url}/v2", timeout=60).get_schema("dataflow", "PIVGM", "DF_REFUGEES", "1.0")
    assert not isinstance(schema.components["REF_AREA"].local_codes, Hierarchy)


def test_the_association_names_the_hierarchy_the_dimension_and_the_dataflow(live_url):
    response = httpx.get(
        f"{live_url}/v2/structure/hierarchyassociation/PIVGM/HA_IRREGULAR_TRANSIT_REF_AREA/1.0",
        headers={"Accept": ML_3},
        timeout=60,
    )
    assert response.status_code == 200
    text = response.text
    assert "Hierarchy=PIVGM:H_M49_AMERICAS(1.0)</structure:LinkedHierarchy>" in text
    assert "Dimension=PIVGM:DSD_IRREGULAR_TRANSIT(1.0).REF_AREA</structure:LinkedObject>" in text
    assert "Dataflow=PIVGM:DF_IRREGULAR_TRANSIT(1.0)</structure:ContextObject>" in text
    assert 'xml:lang="es">Regiones de las Américas' in text


def test_sdmx_2_1_formats_say_associations_are_sdmx_3_0(live_url):
    for path in ("hierarchyassociation", "v2/structure/hierarchyassociation/PIVGM/*/*"):
        response = httpx.get(f"{live_url}/{path}", timeout=60)
        assert response.status_code == 406 and "SDMX 3.0" in response.text
    dataflow = httpx.get(f"{live_url}/dataflow/PIVGM/{FLOW}/1.0?references=parents", timeout=60)
    assert dataflow.status_code == 200 and "HierarchyAssociation" not in dataflow.text
    json_2 = httpx.get(f"{live_url}/dataflow/PIVGM/{FLOW}/1.0?references=parents", headers={"Accept": JSON_2})
    assert [a["id"] for a in json_2.json()["data"]["hierarchyAssociations"]] == ["HA_IRREGULAR_TRANSIT_REF_AREA"]


def test_sdmx_ml_3_carries_associations_only_when_named_so_sdmx1_reads_a_dataflows_references(live_url):
    """sdmx1's SDMX-ML 3.0 reader stops at HierarchyAssociations (seen red: test_clients'
    test_sdmx1_reads_sdmx_ml_3_structures failed with them among a dataflow's parents)."""
    base = f"{live_url}/v2/structure/dataflow/PIVGM/{FLOW}/1.0"
    reached = httpx.get(f"{base}?references=all", headers={"Accept": ML_3}, timeout=60).text
    named = httpx.get(f"{base}?references=hierarchyassociation", headers={"Accept": ML_3}, timeout=60).text
    assert "HierarchyAssociation" not in reached and "<structure:Hierarchies>" not in reached
    assert "<structure:HierarchyAssociation " in named
