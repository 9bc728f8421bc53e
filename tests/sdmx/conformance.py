"""The SDMX conformance table: each request the service claims to answer, with the status, media type, SDMX
error code and key facts of the body it must answer with. ``test_conformance.py`` runs every row against a
live server; ``python -m tests.sdmx.conformance`` renders the table into docs/sdmx.md as the support matrix
(and a test fails when the page and the table differ), so the docs cannot claim what the service does not do.

Paths are below the entry point ``/sdmx/rest``; the store holds the test sources (Honduras and Panama in
``DF_IRREGULAR_TRANSIT``, among others).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "sdmx.md"
START = "<!-- conformance table: rendered by `python -m tests.sdmx.conformance`; do not edit by hand -->"
END = "<!-- end of the conformance table -->"

XML_DATA = "application/vnd.sdmx.genericdata+xml; version=2.1"
SS_DATA = "application/vnd.sdmx.structurespecificdata+xml; version=2.1"
TS_DATA = "application/vnd.sdmx.generictimeseriesdata+xml; version=2.1"
SS_TS_DATA = "application/vnd.sdmx.structurespecifictimeseriesdata+xml; version=2.1"
JSON_DATA_1 = "application/vnd.sdmx.data+json; version=1.0.0"
JSON_DATA_2 = "application/vnd.sdmx.data+json; version=2.0.0"
CSV_1 = "application/vnd.sdmx.data+csv; version=1.0.0"
CSV_2 = "application/vnd.sdmx.data+csv; version=2.0.0"
STRUCTURE = "application/vnd.sdmx.structure+xml; version=2.1"
STRUCTURE_3 = "application/vnd.sdmx.structure+xml; version=3.0.0"
JSON_STRUCTURE = "application/vnd.sdmx.structure+json; version=1.0.0"
JSON_STRUCTURE_2 = "application/vnd.sdmx.structure+json; version=2.0.0"
SCHEMA = "application/vnd.sdmx.schema+xml; version=2.1"
XML_ERROR = "application/xml"
JSON_ERROR = "application/json"

FLOW = "data/DF_IRREGULAR_TRANSIT"
V2_FLOW = "v2/data/dataflow/PIVGM/DF_IRREGULAR_TRANSIT"
SELECTION = "M.PAN+HND.VEN...?startPeriod=2024-01"
JAN_2024 = '"id": "2024-01", "name": "2024-01", "start": "2024-01-01T00:00:00Z", "end": "2024-01-31T23:59:59Z"'


@dataclass(frozen=True)
class Probe:
    """One request and what its answer must be. ``facts``: texts the body holds (an empty body for HEAD,
    OPTIONS and 304); ``code``: the SDMX error code of an error message; ``answer_headers``: headers the
    answer carries."""

    section: str
    path: str
    status: int
    media_type: str | None
    code: int | None = None
    facts: tuple[str, ...] = ()
    accept: str | None = None
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    answer_headers: tuple[str, ...] = ()  # ``Name`` (present) or ``Name: text`` (its value holds the text)

    @property
    def request(self) -> str:
        sent = [f"Accept: {self.accept}"] if self.accept else []
        sent += [f"{name}: {value}" for name, value in self.headers.items()]
        method = "" if self.method == "GET" else f"{self.method} "
        return f"{method}`/{self.path}`" + (f" ({'; '.join(sent)})" if sent else "")


PROBES: tuple[Probe, ...] = (
    # Structures, v1.5
    Probe("Structures", "dataflow", 200, STRUCTURE, facts=("DF_IRREGULAR_TRANSIT", "DF_MIG_STOCK")),
    Probe(
        "Structures",
        "dataflow/PIVGM/DF_IRREGULAR_TRANSIT/latest?references=all",
        200,
        STRUCTURE,
        facts=("DSD_IRREGULAR_TRANSIT", "CL_AREA", "CS_"),
    ),
    Probe("Structures", "dataflow/all/all/latest?detail=allstubs", 200, STRUCTURE, facts=("DF_IRREGULAR_TRANSIT",)),
    Probe(
        "Structures",
        "datastructure/PIVGM/DSD_IRREGULAR_TRANSIT?references=children",
        200,
        STRUCTURE,
        facts=("DSD_IRREGULAR_TRANSIT", "CL_SEX"),
    ),
    Probe("Structures", "codelist/PIVGM/CL_SEX/latest", 200, STRUCTURE, facts=("CL_SEX", 'xml:lang="es"')),
    Probe(
        "Structures",
        "codelist/PIVGM/CL_SEX/latest",
        200,
        STRUCTURE,
        facts=("<common:AnnotationType>ORDER</common:AnnotationType>",),
    ),
    Probe(
        "Structures",
        "dataflow/PIVGM/DF_POPULATION",
        200,
        STRUCTURE,
        facts=("<common:AnnotationType>NOT_DISPLAYED</common:AnnotationType>",),
    ),
    Probe("Structures", "conceptscheme", 200, STRUCTURE, facts=("ConceptScheme",)),
    Probe("Structures", "dataproviderscheme", 200, STRUCTURE, facts=("HN_INM", "PA_SNM")),
    Probe("Structures", "structure/PIVGM/all/latest", 200, STRUCTURE, facts=("Dataflows", "Codelists")),
    Probe(
        "Structures",
        "dataflow",
        200,
        JSON_STRUCTURE,
        accept="application/vnd.sdmx.structure+json",
        facts=("dataflows",),
    ),
    Probe(
        "Structures",
        "dataflow/PIVGM/DF_IRREGULAR_TRANSIT/latest?references=all",
        200,
        JSON_STRUCTURE_2,
        accept=JSON_STRUCTURE_2.replace(" ", ""),
        facts=('"dataStructures"', '"measures": [{"id": "OBS_VALUE"', '"usage": "'),
    ),
    Probe(
        "Availability",
        "availableconstraint/DF_IRREGULAR_TRANSIT/M.PAN+HND.VEN.../all/REF_AREA",
        200,
        JSON_STRUCTURE_2,
        accept=JSON_STRUCTURE_2.replace(" ", ""),
        facts=('"dataConstraints"', '"role": "Actual"'),
    ),
    Probe(
        "Structures",
        "hierarchicalcodelist/PIVGM/H_M49_AMERICAS/latest",
        200,
        STRUCTURE,
        facts=("HierarchicalCodelist=PIVGM:H_M49_AMERICAS(1.0)", '<structure:HierarchicalCode id="CAM">'),
    ),
    Probe(
        "Structures",
        "v2/structure/hierarchy/PIVGM/H_RCM/+?references=codelist",
        200,
        JSON_STRUCTURE_2,
        accept=JSON_STRUCTURE_2.replace(" ", ""),
        facts=('"hierarchies"', "Hierarchy=PIVGM:H_RCM(1.0)", "CL_AREA(1.0).MEX", '"codelists"'),
    ),
    Probe("Structures", "categoryscheme", 404, XML_ERROR, 100),
    Probe(
        "Structures",
        "v2/structure/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0?references=all",
        200,
        STRUCTURE_3,
        accept=STRUCTURE_3.replace(" ", ""),
        facts=("schemas/v3_0/structure", '<structure:Measure id="OBS_VALUE"', 'usage="mandatory"'),
    ),
    Probe(
        "Structures",
        "v2/structure/hierarchy/PIVGM/H_M49_AMERICAS/1.0",
        200,
        STRUCTURE_3,
        accept=STRUCTURE_3.replace(" ", ""),
        facts=('<structure:Hierarchy id="H_M49_AMERICAS"', "Code=PIVGM:CL_AREA(1.0).CAM</structure:Code>"),
    ),
    Probe(
        "Structures",
        "v2/structure/hierarchyassociation/PIVGM/HA_IRREGULAR_TRANSIT_REF_AREA/1.0",
        200,
        STRUCTURE_3,
        accept=STRUCTURE_3.replace(" ", ""),
        facts=(
            "Hierarchy=PIVGM:H_M49_AMERICAS(1.0)</structure:LinkedHierarchy>",
            "Dimension=PIVGM:DSD_IRREGULAR_TRANSIT(1.0).REF_AREA</structure:LinkedObject>",
            "Dataflow=PIVGM:DF_IRREGULAR_TRANSIT(1.0)</structure:ContextObject>",
        ),
    ),
    Probe(
        "Structures",
        "v2/structure/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0?references=all&detail=referencepartial",
        200,
        JSON_STRUCTURE_2,
        accept=JSON_STRUCTURE_2.replace(" ", ""),
        facts=('"hierarchyAssociations"', '"linkedHierarchy"', '"hierarchies"'),
    ),
    Probe("Structures", "hierarchyassociation", 406, XML_ERROR, 1000),
    Probe("Structures", "codelist/PIVGM/CL_AREA", 200, STRUCTURE, facts=('<Ref id="CAM"/>',)),
    Probe("Structures", "dataflow/PIVGM/DF_NOPE", 404, XML_ERROR, 100),
    Probe(
        "Structures",
        "v2/structure/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/+",
        200,
        STRUCTURE,
        facts=("DF_IRREGULAR_TRANSIT",),
    ),
    Probe("Structures", "v2/structure/codelist/PIVGM/CL_SEX,CL_AREA/~", 200, STRUCTURE, facts=("CL_SEX", "CL_AREA")),
    Probe("Structures", "v2/structure/*/PIVGM/DSD_IRREGULAR_TRANSIT", 200, STRUCTURE, facts=("DSD_IRREGULAR_TRANSIT",)),
    # Data, v1.5: every format
    Probe(
        "Data formats",
        f"{FLOW}/{SELECTION}",
        200,
        XML_DATA,
        facts=("generic:Obs", 'structureID="DSD_IRREGULAR_TRANSIT"'),
    ),
    Probe("Data formats", f"{FLOW}/{SELECTION}&format=structurespecificdata", 200, SS_DATA, facts=("ss:structureRef",)),
    Probe("Data formats", f"{FLOW}/{SELECTION}&format=generictimeseriesdata", 200, TS_DATA, facts=("generic:Series",)),
    Probe(
        "Data formats",
        f"{FLOW}/{SELECTION}",
        200,
        SS_TS_DATA,
        accept=SS_TS_DATA.replace(" ", ""),
        facts=("message:StructureSpecificTimeSeriesData", "<Series "),
    ),
    Probe(
        "Data formats",
        f"{FLOW}/{SELECTION}&format=structurespecifictimeseriesdata&dimensionAtObservation=REF_AREA",
        400,
        XML_ERROR,
        140,
    ),
    Probe("Data formats", f"{FLOW}/{SELECTION}", 200, JSON_DATA_1, accept=JSON_DATA_1, facts=('"dataSets"', JAN_2024)),
    Probe("Data formats", f"{FLOW}/{SELECTION}&format=sdmx-json-2.0", 200, JSON_DATA_2, facts=('"dataSets"', JAN_2024)),
    Probe("Data formats", f"{FLOW}/{SELECTION}&format=csv", 200, CSV_1, facts=("DATAFLOW,FREQ,REF_AREA",)),
    Probe("Data formats", f"{FLOW}/{SELECTION}", 200, CSV_2, accept=CSV_2, facts=("STRUCTURE,STRUCTURE_ID,ACTION",)),
    Probe("Data formats", f"{FLOW}/{SELECTION}", 406, XML_ERROR, 1000, accept="application/pdf"),
    # DECIMALS: a series attribute computed from the unit and the dataflow's metadata
    Probe(
        "Decimals",
        "datastructure/PIVGM/DSD_IRREGULAR_TRANSIT?references=children",
        200,
        STRUCTURE,
        facts=('<structure:Attribute id="DECIMALS"', '<structure:Codelist id="CL_DECIMALS"', "Un decimal"),
    ),
    Probe(
        "Decimals",
        "v2/structure/datastructure/PIVGM/DSD_IND_TRANSIT_YOY/1.0",
        200,
        STRUCTURE_3,
        accept=STRUCTURE_3.replace(" ", ""),
        facts=('<structure:Attribute id="DECIMALS"', "CL_DECIMALS(1.0)"),
    ),
    Probe(
        "Decimals",
        "datastructure/PIVGM/DSD_IND_TRANSIT_YOY",
        200,
        JSON_STRUCTURE_2,
        accept=JSON_STRUCTURE_2.replace(" ", ""),
        facts=('"id": "DECIMALS"', "Codelist=PIVGM:CL_DECIMALS(1.0)"),
    ),
    Probe(
        "Decimals",
        "data/DF_IND_TRANSIT_YOY/M.PAN.VEN?lastNObservations=1&format=csv",
        200,
        CSV_1,
        facts=("UNIT_MEASURE,UNIT_MULT,DECIMALS,OBS_STATUS", '"PT","0","1"'),
    ),
    Probe("Decimals", f"{FLOW}/M.PAN.VEN...?lastNObservations=1", 200, XML_DATA, facts=('id="DECIMALS" value="0"',)),
    Probe(
        "Decimals",
        f"{FLOW}/M.PAN.VEN...?lastNObservations=1&format=structurespecificdata",
        200,
        SS_DATA,
        facts=('UNIT_MULT="0" DECIMALS="0"',),
    ),
    Probe(
        "Decimals",
        "data/DF_IND_TRANSIT_YOY/M.PAN.VEN?lastNObservations=1",
        200,
        JSON_DATA_2,
        accept=JSON_DATA_2,
        facts=('{"id": "DECIMALS"', '"values": [{"id": "1", "name": "One decimal"'),
    ),
    Probe(
        "Decimals",
        f"{V2_FLOW}/1.0/M.PAN.VEN...?attributes=DECIMALS&lastNObservations=1",
        200,
        CSV_2,
        accept=CSV_2,
        facts=("TIME_PERIOD,OBS_VALUE,DECIMALS,UPDATED\n",),
    ),
    # Data, v1.5: keys and parameters
    Probe("Data queries", f"{FLOW}/M.HND.VEN.../HN_INM?format=csv", 200, CSV_1, facts=('"HND","VEN"',)),
    Probe("Data queries", f"{FLOW}/M.HND+ZZZ.VEN...?format=csv", 200, CSV_1, facts=('"HND","VEN"',)),
    Probe("Data queries", f"{FLOW}/M.ZZZ.VEN...", 404, XML_ERROR, 100),
    Probe("Data queries", f"{FLOW}/M.US$A.VEN...", 404, XML_ERROR, 100),
    Probe("Data queries", f"{FLOW}/M.PAN", 400, XML_ERROR, 140),
    Probe("Data queries", f"{FLOW}/M.PAN.VEN...?lastNObservations=1&format=csv", 200, CSV_1, facts=('"PAN","VEN"',)),
    Probe("Data queries", f"{FLOW}/M.PAN.VEN...?firstNObservations=1&format=csv", 200, CSV_1, facts=('"PAN","VEN"',)),
    Probe("Data queries", f"{FLOW}/M.PAN.VEN...?detail=serieskeysonly", 200, XML_DATA, facts=("SeriesKey",)),
    Probe(
        "Data queries",
        f"{FLOW}/M.PAN.VEN...?detail=dataonly&format=csv",
        200,
        CSV_1,
        facts=("TIME_PERIOD,OBS_VALUE\n",),
    ),
    Probe(
        "Data queries",
        f"{FLOW}/M.PAN.VEN...?dimensionAtObservation=AllDimensions",
        200,
        XML_DATA,
        facts=("generic:Obs",),
    ),
    Probe("Data queries", f"{FLOW}/M.PAN.VEN...?startPeriod=last year", 400, XML_ERROR, 140),
    Probe("Data queries", f"{FLOW}/M.PAN.VEN...?updatedAfter=2999-01-01T00:00:00Z", 404, XML_ERROR, 100),
    Probe(
        "Data queries",
        f"{FLOW}/M.PAN.VEN...?updatedAfter=2000-01-01T00:00:00Z",
        200,
        CSV_2,
        accept=CSV_2,
        facts=('"I","M","PAN","VEN"',),
    ),
    Probe(
        "Data queries",
        f"{FLOW}/M.PAN.VEN...?updatedAfter=2000-01-01T00:00:00Z&format=structurespecificdata",
        200,
        SS_DATA,
        facts=('ss:action="Replace"',),
    ),
    Probe(
        "Data queries",
        f"{FLOW}/M.PAN.VEN...?updatedAfter=2000-01-01T00:00:00Z",
        200,
        JSON_DATA_1,
        accept=JSON_DATA_1,
        facts=('"action": "Replace"',),
    ),
    Probe(
        "Data queries",
        f"{FLOW}/M.PAN.VEN...?updatedAfter=2000-01-01T00:00:00Z&lastNObservations=1",
        400,
        XML_ERROR,
        140,
    ),
    Probe("Data queries", f"{FLOW}?includeDrafts=true", 401, XML_ERROR, 110),
    Probe("Data queries", "data/DF_NOPE", 404, JSON_ERROR, 100, accept=JSON_DATA_1),
    # Data, v2
    Probe("Data queries, v2", f"{V2_FLOW}/+/M.HND.VEN...?format=csv", 200, CSV_1, facts=('"HND","VEN"',)),
    Probe(
        "Data queries, v2",
        f"{V2_FLOW}/1.0/M.HND.VEN...,M.PAN.HTI...?format=csv",
        200,
        CSV_1,
        facts=('"HND","VEN"', '"PAN","HTI"'),
    ),
    Probe(
        "Data queries, v2",
        f"{V2_FLOW}/1.0/*?c[REF_AREA]=HND&c[TIME_PERIOD]=ge:2024-01&format=csv",
        200,
        CSV_1,
        facts=('"HND"',),
    ),
    Probe(
        "Data queries, v2",
        f"{V2_FLOW}/1.0/M.HND.VEN...?attributes=OBS_STATUS&format=csv",
        200,
        CSV_1,
        facts=("TIME_PERIOD,OBS_VALUE,OBS_STATUS\n",),
    ),
    Probe(
        "Data queries, v2", f"{V2_FLOW}/1.0/M.HND.VEN...?attributes=none&format=csv", 200, CSV_1, facts=("OBS_VALUE\n",)
    ),
    Probe("Data queries, v2", f"{V2_FLOW}/1.0/M.HND.VEN...?attributes=COLOUR", 400, XML_ERROR, 140),
    Probe("Decimals", f"{V2_FLOW}/1.0/*?c[DECIMALS]=0", 400, XML_ERROR, 140, facts=("c[UNIT_MEASURE]",)),
    Probe("Data queries, v2", f"{V2_FLOW}/1.0/M.HND+ZZZ.VEN...?format=csv", 200, CSV_1, facts=('"HND","VEN"',)),
    Probe("Data queries, v2", "v2/data/datastructure/PIVGM/DSD_IRREGULAR_TRANSIT/1.0", 501, XML_ERROR, 501),
    # Availability
    Probe(
        "Availability",
        "availableconstraint/DF_IRREGULAR_TRANSIT/M.PAN+HND.VEN.../all/REF_AREA",
        200,
        STRUCTURE,
        facts=("CubeRegion", "PAN", "HND"),
    ),
    Probe(
        "Availability",
        "v2/availability/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0/*?c[REF_AREA]=HND",
        200,
        STRUCTURE,
        facts=("CubeRegion", "HND"),
    ),
    Probe("Availability", "availableconstraint/DF_IRREGULAR_TRANSIT/all/all/COLOUR", 400, XML_ERROR, 140),
    # Schemas
    Probe(
        "Schemas",
        "schema/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0",
        200,
        SCHEMA,
        facts=("Dataflow=PIVGM:DF_IRREGULAR_TRANSIT",),
    ),
    Probe(
        "Schemas",
        "schema/datastructure/PIVGM/DSD_IRREGULAR_TRANSIT/1.0",
        200,
        SCHEMA,
        facts=("DataStructure=PIVGM:DSD_IRREGULAR_TRANSIT",),
    ),
    Probe(
        "Schemas",
        "v2/schema/datastructure/PIVGM/DSD_IRREGULAR_TRANSIT/1.0",
        200,
        SCHEMA,
        facts=("DataStructure=PIVGM:DSD_IRREGULAR_TRANSIT",),
    ),
    Probe(
        "Schemas",
        "v2/schema/dataflow/PIVGM/DF_IRREGULAR_TRANSIT/1.0",
        200,
        JSON_STRUCTURE_2,
        accept=JSON_STRUCTURE_2.replace(" ", ""),
        facts=('"dataStructures"', '"conceptSchemes"', '"codelists"'),
    ),
    # Not implemented, and not a resource
    Probe("Other resources", "metadata/dataflow/PIVGM/DF_IRREGULAR_TRANSIT", 501, XML_ERROR, 501),
    Probe("Other resources", "v2/metadata/metadataflow/all/all/latest", 501, XML_ERROR, 501),
    Probe("Other resources", "whatever", 400, XML_ERROR, 140),
    # Languages: SDMX-JSON `name` in the language asked for (`names` holds both)
    *(
        Probe(
            "Languages",
            "codelist/PIVGM/CL_FREQ",
            200,
            JSON_STRUCTURE,
            accept="application/vnd.sdmx.structure+json",
            headers={"Accept-Language": language},
            facts=(f'"name": "{monthly}"', '"names": {'),
        )
        for language, monthly in (("es-MX,es;q=0.9", "Mensual"), ("en", "Monthly"))
    ),
    *(
        Probe(
            "Languages",
            f"{FLOW}/M.PAN.VEN...",
            200,
            JSON_DATA_1,
            accept=JSON_DATA_1,
            headers={"Accept-Language": language},
            facts=(f'"name": "{monthly}"', f'"contentLanguages": ["{first}"'),
        )
        for language, monthly, first in (("es", "Mensual", "es"), ("fr, en;q=0.8, es;q=0.5", "Monthly", "en"))
    ),
    # HTTP
    Probe("HTTP", f"{FLOW}/M.PAN.VEN...", 200, XML_DATA, method="HEAD"),
    Probe("HTTP", f"{FLOW}/M.PAN.VEN...", 204, None, method="OPTIONS"),
    Probe("HTTP", f"{FLOW}/M.PAN.VEN...", 304, None, headers={"If-None-Match": "*"}),
    Probe(
        "HTTP",
        f"{FLOW}/M.PAN.VEN...",
        200,
        XML_DATA,
        headers={"Origin": "https://elsewhere.example"},
        answer_headers=("Access-Control-Allow-Origin: *", "ETag: W/", "Last-Modified", "Cache-Control: public"),
    ),
    Probe(
        "HTTP",
        "data/DF_NOPE",
        404,
        XML_ERROR,
        100,
        headers={"Origin": "https://elsewhere.example"},
        answer_headers=("Access-Control-Allow-Origin: *", "Access-Control-Expose-Headers: ETag"),
    ),
    Probe(
        "HTTP",
        f"{FLOW}/M.PAN.VEN...",
        204,
        None,
        method="OPTIONS",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
        answer_headers=("Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: GET, HEAD, OPTIONS"),
    ),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "\\n")


def render() -> str:
    """The support matrix: one Markdown table per section."""
    lines: list[str] = []
    for section in dict.fromkeys(p.section for p in PROBES):
        lines += [
            f"**{section}**",
            "",
            "| Request | Status | Media type | SDMX code | Body holds | Headers hold |",
            "|---|---|---|---|---|---|",
        ]
        for probe in (p for p in PROBES if p.section == section):
            facts = ", ".join(f"`{_cell(f)}`" for f in probe.facts)
            answer = ", ".join(f"`{_cell(h)}`" for h in probe.answer_headers)
            media = f"`{probe.media_type}`" if probe.media_type else "none"
            code = str(probe.code) if probe.code is not None else ""
            lines.append(f"| {_cell(probe.request)} | {probe.status} | {media} | {code} | {facts} | {answer} |")
        lines.append("")
    return "\n".join([START, "", *lines, END])


def documented(text: str) -> str:
    """The matrix as the page holds it (between the markers)."""
    start, end = text.index(START), text.index(END) + len(END)
    return text[start:end]


def main() -> None:
    """Write the matrix into docs/sdmx.md, between the markers."""
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(text.replace(documented(text), render()), encoding="utf-8")
    print(f"{DOC.name}: {len(PROBES)} requests", file=sys.stderr)


if __name__ == "__main__":
    main()
