"""Standard SDMX clients read the service as is, over real HTTP: sdmx1 (each use in a fresh process, since
it keeps shared state) and pysdmx; the values they get equal the store's."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import httpx
import pytest
from pysdmx.api.dc.query import Operator, TextFilter
from pysdmx.api.fmr import RegistryClient
from pysdmx.api.qb import ApiVersion, DataQuery, RestService, StructureQuery, StructureType
from pysdmx.api.qb.data import DataFormat
from pysdmx.api.qb.structure import StructureFormat, StructureReference
from pysdmx.io import read_sdmx

from pivgm.catalog import DataSelection

FLOW = "DF_IRREGULAR_TRANSIT"
KEY = "M.PAN+HND.VEN..."
START = "2024-01"
SELECTION = DataSelection(filters={"FREQ": ["M"], "REF_AREA": ["PAN", "HND"], "CITIZENSHIP": ["VEN"]}, start=START)
DIMENSIONS = ["FREQ", "REF_AREA", "CITIZENSHIP", "SEX", "AGE", "ACCOMPANIMENT", "TIME_PERIOD"]


def store_values(catalog) -> dict[tuple[str, ...], float]:
    rows = catalog.data(FLOW, SELECTION).table.to_pylist()
    return {tuple(row[d] for d in DIMENSIONS): row["OBS_VALUE"] for row in rows}


def run_sdmx1(url: str, body: str) -> object:
    """Run ``body`` with an sdmx1 ``client`` for the live server in a new process; it prints JSON."""
    script = textwrap.dedent(
        """
        import json, sys
        import sdmx
        sdmx.add_source({"id": "PIVGM", "url": sys.argv[1], "name": "PIVGM"})
        client = sdmx.Client("PIVGM")
        """
    ) + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sdmx1_reads_the_dataflow_list(live_url, catalog):
    flows = run_sdmx1(
        live_url,
        """
        message = client.dataflow()
        print(json.dumps({k: str(v.name) for k, v in message.dataflow.items()}))
        """,
    )
    standard = catalog.standard
    assert set(flows) == set(standard.dataflows)
    assert flows[FLOW] == standard.dataflow(FLOW).name.get("en")


def test_sdmx1_reads_a_data_structure_with_its_codelists(live_url, catalog):
    found = run_sdmx1(
        live_url,
        """
        message = client.datastructure("DSD_IRREGULAR_TRANSIT", params={"references": "children"})
        dsd = message.structure["DSD_IRREGULAR_TRANSIT"]
        print(json.dumps({
            "dimensions": [d.id for d in dsd.dimensions],
            "attributes": [a.id for a in dsd.attributes],
            "codelists": {cl_id: sorted(code.id for code in cl) for cl_id, cl in message.codelist.items()},
            "female": str(message.codelist["CL_SEX"]["F"].name),
        }))
        """,
    )
    structure = catalog.standard.dataflow(FLOW).structure
    assert found["dimensions"] == [*structure.dimension_ids, structure.time_dimension]
    assert found["attributes"] == [a.id for a in structure.published_attributes]
    assert {k: set(v) for k, v in found["codelists"].items()} == {c.id: c.ids() for c in structure.codelists()}
    assert found["female"] == "Female"


def test_sdmx1_reads_data_for_a_key_from_a_start_period_with_the_stores_values(live_url, catalog):
    rows = run_sdmx1(
        live_url,
        f"""
        message = client.data("{FLOW}", key="{KEY}", params={{"startPeriod": "{START}"}})
        series = sdmx.to_pandas(message)
        frame = series.reset_index()
        print(json.dumps([
            [*[str(row[d]) for d in {DIMENSIONS!r}], float(row["value"])] for _, row in frame.iterrows()
        ]))
        """,
    )
    got = {tuple(row[:-1]): row[-1] for row in rows}
    assert got == store_values(catalog)


@pytest.mark.parametrize(
    "data_format",
    [DataFormat.SDMX_ML_2_1_STR, DataFormat.SDMX_ML_2_1_GEN, DataFormat.SDMX_CSV_2_0_0, DataFormat.SDMX_CSV_1_0_0],
)
def test_pysdmx_reads_data_in_each_format_with_the_stores_values(live_url, catalog, data_format):
    """pysdmx can only say startPeriod in SDMX REST v2 (``c[TIME_PERIOD]=ge:...``), so it asks the v2 paths."""
    service = RestService(f"{live_url}/v2", ApiVersion.V2_0_0, data_format=data_format, timeout=60)
    since = TextFilter("TIME_PERIOD", Operator.GREATER_THAN_OR_EQUAL, START)
    body = service.data(DataQuery(agency_id="PIVGM", resource_id=FLOW, version="1.0", key=KEY, components=since))
    (dataset,) = read_sdmx(body.decode()).data
    frame = dataset.data
    got = {tuple(str(row[d]) for d in DIMENSIONS): float(row["OBS_VALUE"]) for row in frame.to_dict("records")}
    assert got == store_values(catalog)
    assert set(frame["OBS_STATUS"]) == {"A"} and set(frame["UNIT_MEASURE"]) == {"PS"}


@pytest.mark.parametrize("structure_format", [StructureFormat.SDMX_ML_2_1, StructureFormat.SDMX_JSON_2_0_0])
def test_pysdmx_reads_the_dataflow_with_its_structure_and_codelists(live_url, catalog, structure_format):
    """SDMX-JSON 2.0 is pysdmx's default structure format."""
    service = RestService(live_url, ApiVersion.V1_5_0, structure_format=structure_format, timeout=60)
    query = StructureQuery(
        StructureType.DATAFLOW, agency_id="PIVGM", resource_id=FLOW, references=StructureReference.DESCENDANTS
    )
    message = read_sdmx(service.structure(query).decode())
    by_type: dict[str, list[object]] = {}
    for artefact in message.structures:
        by_type.setdefault(type(artefact).__name__, []).append(artefact)
    (structure,) = by_type["DataStructureDefinition"]
    dataflow = catalog.standard.dataflow(FLOW)
    assert [c.id for c in structure.components.dimensions] == [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    codelists = {c.id: {code.id for code in c.codes} for c in by_type["Codelist"]}
    assert codelists == {c.id: c.ids() for c in dataflow.structure.codelists()}
    assert [d.id for d in by_type["Dataflow"]] == [FLOW]


SUPPORTS = '{"availableconstraint": True, "preview": True, "structure-specific data": True}'


def test_sdmx1_reads_availability_and_previews_once_the_source_says_it_supports_them(live_url):
    """sdmx1 refuses availability queries to a source it does not know unless ``supports`` names them."""
    found = run_sdmx1(
        live_url,
        f"""
        try:
            client.availableconstraint("{FLOW}")
            refused = False
        except NotImplementedError:
            refused = True
        sdmx.add_source({{"id": "PIVGM_FULL", "url": sys.argv[1], "name": "PIVGM", "supports": {SUPPORTS}}})
        full = sdmx.Client("PIVGM_FULL")
        message = full.availableconstraint("{FLOW}", key="M.PAN+HND.VEN...")
        region = list(message.constraint.values())[0].data_content_region[0]
        areas = sorted(v.value for d, m in region.member.items() if d.id == "REF_AREA" for v in m.values)
        keys = full.preview_data("{FLOW}")
        print(json.dumps({{"refused": refused, "areas": areas, "series": len(keys)}}))
        """,
    )
    assert found["refused"] is True
    assert found["areas"] == ["HND", "PAN"]
    assert found["series"] > 1


def test_the_pysdmx_registry_client_reads_a_codelist_over_v2(live_url):
    """pysdmx's registry client asks the v2 API for SDMX-JSON 2.0 structures."""
    codelist = RegistryClient(f"{live_url}/v2", timeout=60).get_codes("PIVGM", "CL_SEX")
    assert {code.id for code in codelist} == {"F", "M", "_T", "_U"}
    assert codelist.name == "Sex"


@pytest.mark.parametrize("context", ["dataflow", "datastructure"])
def test_the_pysdmx_registry_client_reads_a_schema_over_v2(live_url, catalog, context):
    """pysdmx asks /v2/schema/... for an SDMX-JSON 2.0 structure message (seen red: 406 without the
    schema-json-2.0 format)."""
    structure = catalog.standard.dataflow(FLOW).structure
    artefact = FLOW if context == "dataflow" else structure.id
    schema = RegistryClient(f"{live_url}/v2", timeout=60).get_schema(context, "PIVGM", artefact, "1.0")
    assert [c.id for c in schema.components.dimensions] == [*structure.dimension_ids, "TIME_PERIOD"]
    assert {c.id for c in schema.components.attributes} == {a.id for a in structure.published_attributes}
    sex = schema.components["SEX"]  # REF_AREA of a dataflow is the tree of the Americas (hierarchy association)
    assert {code.id for code in sex.enumeration} == structure.dimension("SEX").codelist.ids()


def test_sdmx1_reads_the_regions_of_the_americas_as_a_hierarchical_codelist(live_url, catalog):
    """Seen red with the SDMX-ML 2.1 HierarchicalCodelists section left out."""
    found = run_sdmx1(
        live_url,
        """
        message = client.hierarchicalcodelist("H_M49_AMERICAS", params={"references": "children"})
        hierarchy = message.hierarchical_codelist["H_M49_AMERICAS"].hierarchy[0]

        def tree(codes):
            return {str(c.code.id): tree(c.child) for c in codes}

        print(json.dumps({"tree": tree(hierarchy.codes.values()), "name": str(hierarchy.name)}))
        """,
    )
    americas = found["tree"]["AMR"]
    assert set(americas) == {"NAC", "LAC"}
    assert set(americas["NAC"]) == {"BMU", "CAN", "GRL", "SPM", "USA"}
    assert set(americas["LAC"]["CAM"]) == set(catalog.standard.codelists["CL_AREA"].get("CAM").members)


def test_the_pysdmx_registry_client_reads_a_hierarchy_with_its_code_names(live_url):
    """pysdmx asks /v2/structure/hierarchy/... with the codelist (references=codelist) and names the codes
    from it (seen red with the 2.0 writer's ``hierarchies`` section misnamed)."""
    hierarchy = RegistryClient(f"{live_url}/v2", timeout=60).get_hierarchy("PIVGM", "H_RCM", "1.0")
    (rcm,) = hierarchy.codes
    assert rcm.id == "RCM" and rcm.name == "Member states of the Regional Conference on Migration"
    members = {code.id: code.name for code in rcm.codes}
    assert set(members) == {"BLZ", "CAN", "CRI", "DOM", "GTM", "HND", "MEX", "NIC", "PAN", "SLV", "USA"}
    assert members["MEX"] == "Mexico"


def test_pysdmx_reads_sdmx_ml_3_structures_over_v2(live_url, catalog):
    """The dataflow, its structure (measures, attribute usage), codelists and a hierarchy, as SDMX-ML 3.0
    (seen red, 406, without the structure-3.0 format)."""
    service = RestService(f"{live_url}/v2", ApiVersion.V2_0_0, structure_format=StructureFormat.SDMX_ML_3_0, timeout=60)
    query = StructureQuery(
        StructureType.DATAFLOW, agency_id="PIVGM", resource_id=FLOW, references=StructureReference.DESCENDANTS
    )
    by_type: dict[str, list[object]] = {}
    for artefact in read_sdmx(service.structure(query).decode()).structures:
        by_type.setdefault(type(artefact).__name__, []).append(artefact)
    (structure,) = by_type["DataStructureDefinition"]
    dataflow = catalog.standard.dataflow(FLOW)
    assert [c.id for c in structure.components.dimensions] == [*dataflow.structure.dimension_ids, "TIME_PERIOD"]
    assert [c.id for c in structure.components.measures] == ["OBS_VALUE"]
    assert {c.id: c.required for c in structure.components.attributes} == {
        a.id: a.mandatory for a in dataflow.structure.published_attributes
    }
    codelists = {c.id: {code.id for code in c.codes} for c in by_type["Codelist"]}
    assert codelists == {c.id: c.ids() for c in dataflow.structure.codelists()}
    hierarchies = StructureQuery(StructureType.HIERARCHY, agency_id="PIVGM", resource_id="H_SICA")
    (sica,) = read_sdmx(service.structure(hierarchies).decode()).structures
    assert [code.id for code in sica.codes[0].codes] == list(catalog.standard.codelists["CL_AREA"].get("SICA").members)


def test_sdmx1_reads_sdmx_ml_3_structures(live_url):
    found = run_sdmx1(
        live_url,
        """
        import httpx
        accept = {"Accept": "application/vnd.sdmx.structure+xml;version=3.0.0"}
        body = httpx.get(sys.argv[1] + "/v2/structure/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0?references=all",
                         headers=accept, timeout=60).content
        message = sdmx.read_sdmx(__import__("io").BytesIO(body))
        dsd = message.structure["DSD_IRREGULAR_TRANSIT"]
        print(json.dumps({
            "dimensions": [d.id for d in dsd.dimensions],
            "measures": [m.id for m in dsd.measures],
            "female": str(message.codelist["CL_SEX"]["F"].name),
        }))
        """,
    )
    assert found["dimensions"][-1] == "TIME_PERIOD" and found["measures"] == ["OBS_VALUE"]
    assert found["female"] == "Female"


def test_sdmx1_reads_structure_specific_time_series_data_with_the_stores_values(live_url, catalog):
    """StructureSpecificTimeSeriesData, read with the data structure sdmx1 fetched; the same values."""
    rows = run_sdmx1(
        live_url,
        f"""
        import io, urllib.request
        dsd = client.datastructure("DSD_IRREGULAR_TRANSIT").structure["DSD_IRREGULAR_TRANSIT"]
        request = urllib.request.Request(
            sys.argv[1] + "/data/{FLOW}/{KEY}?startPeriod={START}",
            headers={{"Accept": "application/vnd.sdmx.structurespecifictimeseriesdata+xml;version=2.1"}},
        )
        content = urllib.request.urlopen(request).read()
        assert b"StructureSpecificTimeSeriesData" in content[:400]
        message = sdmx.read_sdmx(io.BytesIO(content), structure=dsd)
        frame = sdmx.to_pandas(message).reset_index()
        print(json.dumps([
            [*[str(row[d]) for d in {DIMENSIONS!r}], float(row["value"])] for _, row in frame.iterrows()
        ]))
        """,
    )
    got = {tuple(row[:-1]): row[-1] for row in rows}
    assert got == store_values(catalog)


def test_sdmx1_reads_parent_codes_and_a_partial_codelist_without_the_parent(live_url):
    """A partial codelist leaves out the parents it does not hold (seen red with the writer's check removed)."""
    found = run_sdmx1(
        live_url,
        """
        whole = client.codelist("CL_AREA").codelist["CL_AREA"]
        partial = client.get(url=sys.argv[1] + "/codelist/PIVGM/CL_AREA/1.0/MEX+HND")
        cut = partial.codelist["CL_AREA"]
        print(json.dumps({
            "mexico": whole["MEX"].parent.id,
            "central": [c.id for c in whole["CAM"].child],
            "cut": sorted(c.id for c in cut),
        }))
        """,
    )
    assert found["mexico"] == "CAM" and "MEX" in found["central"]
    assert found["cut"] == ["HND", "MEX"]
    for path, parents in (("CL_AREA", True), ("CL_AREA/1.0/MEX+HND", False)):  # sdmx1 ignores dangling parents
        body = httpx.get(f"{live_url}/codelist/PIVGM/{path}", timeout=60).text
        assert ("<structure:Parent>" in body) is parents, path
