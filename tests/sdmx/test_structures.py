"""Structure queries follow ``references`` and ``detail`` as the SDMX REST API defines them."""

from __future__ import annotations

from lxml import etree

from pivgm.structures import load_standard

NS = {
    "m": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "s": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "c": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
}
STANDARD = load_standard()


def structures(api, path: str, **parameters: str) -> etree._Element:
    response = api.get(f"/sdmx/rest/{path}", params=parameters)
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def ids(document: etree._Element, kind: str) -> list[str]:
    return [e.get("id") for e in document.findall(f".//s:{kind}", NS)]


def test_the_dataflow_list_holds_every_dataflow_of_the_standard_with_spanish_and_english_names(api):
    document = structures(api, "dataflow")
    assert sorted(ids(document, "Dataflow")) == sorted(STANDARD.dataflows)
    transit = document.find(".//s:Dataflow[@id='DF_IRREGULAR_TRANSIT']", NS)
    names = {n.get("{http://www.w3.org/XML/1998/namespace}lang"): n.text for n in transit.findall("c:Name", NS)}
    assert names == STANDARD.dataflow("DF_IRREGULAR_TRANSIT").name.to_dict()
    assert ids(document, "DataStructure") == [] and ids(document, "Codelist") == []


def test_a_dataflow_with_its_descendants_brings_its_structure_codelists_and_concepts(api):
    document = structures(api, "dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0", references="descendants")
    structure = STANDARD.dataflow("DF_IRREGULAR_TRANSIT").structure
    assert ids(document, "Dataflow") == ["DF_IRREGULAR_TRANSIT"]
    assert ids(document, "DataStructure") == ["DSD_IRREGULAR_TRANSIT"]
    assert sorted(ids(document, "Codelist")) == sorted(c.id for c in structure.codelists())
    assert ids(document, "ConceptScheme") == ["CS_MIGRATION"]
    dimensions = document.findall(".//s:DimensionList/s:Dimension", NS)
    assert [d.get("id") for d in dimensions] == list(structure.dimension_ids)
    area = document.find(".//s:Codelist[@id='CL_AREA']", NS)
    assert len(area.findall("s:Code", NS)) == len(STANDARD.codelist("CL_AREA"))


def test_a_data_structure_with_its_parents_brings_the_dataflow_that_uses_it(api):
    document = structures(api, "datastructure/PIVGM/DSD_RETURNS", references="parents")
    assert ids(document, "Dataflow") == ["DF_RETURNS"]
    assert ids(document, "Codelist") == []


def test_a_codelist_with_its_parents_brings_every_structure_that_uses_it(api):
    document = structures(api, "codelist/PIVGM/CL_ACCOMPANIMENT/latest", references="datastructure")
    users = sorted(
        d.structure.id
        for d in STANDARD.dataflows.values()
        if "CL_ACCOMPANIMENT" in {c.id for c in d.structure.codelists()}
    )
    assert sorted(ids(document, "DataStructure")) == users


def test_all_stubs_carry_identity_and_names_but_no_items(api):
    document = structures(api, "codelist", detail="allstubs")
    assert sorted(ids(document, "Codelist")) == sorted(STANDARD.codelists)
    assert document.findall(".//s:Code", NS) == []
    assert all(c.get("isExternalReference") == "true" for c in document.findall(".//s:Codelist", NS))


def test_reference_partial_keeps_only_the_codes_that_have_data(api, catalog):
    document = structures(api, "dataflow/PIVGM/DF_IRREGULAR_TRANSIT", references="all", detail="referencepartial")
    area = document.find(".//s:Codelist[@id='CL_AREA']", NS)
    assert area.get("isPartial") == "true"
    counts = catalog.code_counts("DF_IRREGULAR_TRANSIT")
    expected = set(counts["REF_AREA"]) | set(counts["CITIZENSHIP"])
    assert {c.get("id") for c in area.findall("s:Code", NS)} == expected


def test_an_item_query_returns_a_partial_codelist_with_that_item(api):
    document = structures(api, "codelist/PIVGM/CL_SEX/1.0/F")
    assert [c.get("id") for c in document.findall(".//s:Code", NS)] == ["F"]


def test_wildcards_and_v2_paths_find_the_same_artefacts(api):
    v1 = structures(api, "codelist/all/CL_SEX+CL_FREQ/latest")
    v2 = structures(api, "v2/structure/codelist/*/CL_SEX,CL_FREQ/~")
    assert sorted(ids(v1, "Codelist")) == sorted(ids(v2, "Codelist")) == ["CL_FREQ", "CL_SEX"]


def test_the_data_provider_scheme_lists_the_providers_that_published_data(api, sdmx_platform):
    document = structures(api, "dataproviderscheme/PIVGM/DATA_PROVIDERS/1.0")
    assert sorted(ids(document, "DataProvider")) == sorted(p.id for p in sdmx_platform.records.providers())


def test_an_unknown_artefact_or_version_finds_no_results(api):
    for path in (
        "dataflow/PIVGM/DF_NOPE",
        "codelist/OTHER/CL_SEX",
        "codelist/PIVGM/CL_SEX/9.9",
        "codelist/PIVGM/CL_SEX/1.0/ZZ",
    ):
        response = api.get(f"/sdmx/rest/{path}")
        assert response.status_code == 404, path
        assert 'code="100"' in response.text
