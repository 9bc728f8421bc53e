"""SDMX REST paths (v1.5 for SDMX 2.1, and v2) to query objects, one parser per resource in a registry.

Paths arrive percent-decoded (``%2C`` is ``,``, ``%2B`` is ``+``); empty trailing segments (a trailing
slash) are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pivgm.sdmx.errors import NoResultsError, NotImplementedSdmxError, QuerySyntaxError
from pivgm.sdmx.formats import Kind
from pivgm.sdmx.keys import ID_PATTERN
from pivgm.sdmx.query import (
    LATEST,
    AvailabilityMode,
    AvailabilityQuery,
    DataDetail,
    DataQuery,
    FlowRef,
    Parameters,
    SchemaQuery,
    SdmxQuery,
    Selector,
    StructureDetail,
    StructureQuery,
    dimension_at_observation,
    parse_flow_ref,
    parse_providers,
)
from pivgm.sdmx.v2_filters import component_filters

# Structure resources this service holds artefacts of ("structure" is any of them).
STRUCTURE_RESOURCES = (
    "dataflow",
    "datastructure",
    "codelist",
    "conceptscheme",
    "dataproviderscheme",
    "hierarchicalcodelist",  # v1.5 (SDMX 2.1); the same artefacts as v2's hierarchy
    "hierarchy",
    "hierarchyassociation",  # SDMX 3.0 (SDMX-ML 3.0, SDMX-JSON 2.0)
)
# Other structure resources of the standard: valid queries, but this service has no such artefacts.
EMPTY_RESOURCES = {
    "metadatastructure",
    "categoryscheme",
    "organisationscheme",
    "agencyscheme",
    "dataconsumerscheme",
    "organisationunitscheme",
    "metadataflow",
    "reportingtaxonomy",
    "provisionagreement",
    "structureset",
    "process",
    "categorisation",
    "contentconstraint",
    "actualconstraint",
    "allowedconstraint",
    "attachmentconstraint",
    "transformationscheme",
    "rulesetscheme",
    "userdefinedoperatorscheme",
    "customtypescheme",
    "namepersonalisationscheme",
    "namealiasscheme",
    "valuelist",
    "datastructuremap",
    "representationmap",
    "structuremap",
    "conceptschememap",
    "categoryschememap",
    "organisationschememap",
    "reportingtaxonomymap",
    "dataconstraint",
    "metadataconstraint",
    "metadataproviderscheme",
    "metadataprovisionagreement",
    "vtlmappingscheme",
}
REFERENCES = {"none", "parents", "parentsandsiblings", "children", "descendants", "all"}

Segments = list[str]
Parser = Callable[[Segments, Parameters], SdmxQuery]


def _selector(text: str | None, any_words: set[str], separators: str = "+") -> Selector:
    if text is None or text.strip().lower() in any_words:
        return Selector()
    values = text
    for separator in separators[1:]:
        values = values.replace(separator, separators[0])
    parts = tuple(p.strip() for p in values.split(separators[0]) if p.strip())
    for part in parts:
        if not ID_PATTERN.match(part.replace(".", "")):
            raise QuerySyntaxError(f"{part!r} is not an SDMX identifier or version.", value=text)
    return Selector(parts)


LATEST_WORDS = {"latest", "~", "+"}  # v2 "+": the latest stable version, and every version here is stable


def _version(text: str | None, separators: str) -> Selector:
    if text is None or text.strip().lower() in LATEST_WORDS:
        return LATEST
    return _selector(text, {"all", "*"}, separators)


def _references(parameters: Parameters) -> str:
    value = (parameters.get("references") or "none").strip().lower()
    if value not in REFERENCES | set(STRUCTURE_RESOURCES) | EMPTY_RESOURCES:
        raise QuerySyntaxError(
            f"references={value!r} is not valid: use none, parents, parentsandsiblings, children, "
            "descendants, all or a resource type such as codelist.",
            parameter="references",
        )
    return value


def _structure(resource: str, segments: Segments, parameters: Parameters, separators: str) -> StructureQuery:
    if resource in EMPTY_RESOURCES:
        raise NoResultsError(
            f"This service publishes no {resource} artefacts; it serves {', '.join(STRUCTURE_RESOURCES)}.",
            resource=resource,
        )
    if len(segments) > 4:
        raise QuerySyntaxError(
            f"Too many path segments for {resource}: write /{resource}/AGENCY/ID/VERSION[/ITEM].",
            resource=resource,
        )
    padded: list[str | None] = [*segments, None, None, None, None]
    agency, id_, version, items = padded[:4]
    return StructureQuery(
        resource=resource,
        agency=_selector(agency, {"all", "*"}, separators),
        id=_selector(id_, {"all", "*"}, separators),
        version=_version(version, separators),
        items=_selector(items, {"all", "*"}, separators),
        references=_references(parameters),
        detail=parameters.choice("detail", StructureDetail, StructureDetail.FULL),
    )


def _data(segments: Segments, parameters: Parameters) -> DataQuery:
    if not segments or len(segments) > 3:
        raise QuerySyntaxError("A data query is /data/FLOW_REF[/KEY[/PROVIDER_REF]].")
    start, end = parameters.periods()
    return DataQuery(
        flow=parse_flow_ref(segments[0]),
        key=segments[1] if len(segments) > 1 else "all",
        providers=parse_providers(segments[2] if len(segments) > 2 else None),
        start=start,
        end=end,
        updated_after=parameters.moment("updatedAfter"),
        first_n=parameters.positive("firstNObservations"),
        last_n=parameters.positive("lastNObservations"),
        dimension_at_observation=dimension_at_observation(parameters),
        detail=parameters.choice("detail", DataDetail, DataDetail.FULL),
        include_history=parameters.flag("includeHistory"),
        include_drafts=parameters.flag("includeDrafts"),
    )


def _availability(segments: Segments, parameters: Parameters) -> AvailabilityQuery:
    if not segments or len(segments) > 4:
        raise QuerySyntaxError(
            "An availability query is /availableconstraint/FLOW_REF[/KEY[/PROVIDER_REF[/COMPONENT_ID]]]."
        )
    start, end = parameters.periods()
    component = segments[3] if len(segments) > 3 and segments[3].lower() not in {"all", "*"} else None
    return AvailabilityQuery(
        flow=parse_flow_ref(segments[0]),
        key=segments[1] if len(segments) > 1 else "all",
        providers=parse_providers(segments[2] if len(segments) > 2 else None),
        component=component,
        mode=parameters.choice("mode", AvailabilityMode, AvailabilityMode.EXACT),
        start=start,
        end=end,
        references=_references(parameters),
        include_drafts=parameters.flag("includeDrafts"),
    )


def _schema(segments: Segments, parameters: Parameters) -> SchemaQuery:
    if len(segments) < 3 or len(segments) > 4:
        raise QuerySyntaxError("A schema query is /schema/dataflow/AGENCY/ID[/VERSION] (or /schema/datastructure/...).")
    context = segments[0].lower()
    if context not in {"dataflow", "datastructure"}:
        raise NotImplementedSdmxError(
            f"Schemas for the {context!r} context are not available; use dataflow or datastructure."
        )
    version = segments[3] if len(segments) > 3 else None
    flow_id = segments[2]
    return SchemaQuery(
        context=context,
        flow=FlowRef(flow_id, None if segments[1] in {"all", "*"} else segments[1], _plain(version)),
        dimension_at_observation=dimension_at_observation(parameters),
    )


def _plain(version: str | None) -> str | None:
    return None if version is None or version.lower() in {*LATEST_WORDS, "all", "*"} else version


def _v2_flow(segments: Segments, what: str) -> tuple[FlowRef, Segments]:
    if len(segments) < 3:
        raise QuerySyntaxError(f"A v2 {what} query is /v2/{what}/dataflow/AGENCY/ID/VERSION[/KEY...].")
    context, agency, flow_id = segments[0].lower(), segments[1], segments[2]
    if context not in {"dataflow", "*"}:
        raise NotImplementedSdmxError(
            f"{what} queries by {context!r} are not available; query by dataflow: /v2/{what}/dataflow/..."
        )
    if flow_id in {"*", "all"} or "," in flow_id:
        raise NotImplementedSdmxError(f"{what} queries over several dataflows are not available; name one.")
    version = segments[3] if len(segments) > 3 else None
    any_agency = agency in {"*", "all"}
    return FlowRef(flow_id, None if any_agency else agency, _plain(version)), segments[4:]


def _v2_key(rest: Segments) -> str:
    """The key, or several keys separated by ``,`` (any of them matches)."""
    return rest[0] if rest else "*"


def _v2_data(segments: Segments, parameters: Parameters) -> DataQuery:
    flow, rest = _v2_flow(segments, "data")
    filters, start, end = component_filters(parameters)
    if start is None and end is None:
        start, end = parameters.periods()
    return DataQuery(
        flow=flow,
        key=_v2_key(rest),
        filters=filters,
        start=start,
        end=end,
        updated_after=parameters.moment("updatedAfter"),
        first_n=parameters.positive("firstNObservations"),
        last_n=parameters.positive("lastNObservations"),
        dimension_at_observation=dimension_at_observation(parameters),
        detail=_v2_detail(parameters),
        include_history=parameters.flag("includeHistory"),
        include_drafts=parameters.flag("includeDrafts"),
        attributes=_v2_attributes(parameters),
    )


ALL_ATTRIBUTES = {"dsd", "msd", "all"}
ATTACHMENT_LEVELS = {"dataset", "series", "obs"}


def _v2_detail(parameters: Parameters) -> DataDetail:
    attributes = (parameters.get("attributes") or "dsd").lower()
    measures = (parameters.get("measures") or "all").lower()
    if measures == "none":
        return DataDetail.NODATA if attributes != "none" else DataDetail.SERIESKEYSONLY
    return DataDetail.DATAONLY if attributes == "none" else DataDetail.FULL


def _v2_attributes(parameters: Parameters) -> tuple[str, ...] | None:
    """v2 ``attributes=``: None for all (``dsd``, ``msd``, ``all``) or none (``detail`` says it); else an
    attachment level or the attribute ids to keep (checked against the DSD by the service)."""
    value = (parameters.get("attributes") or "dsd").strip()
    if value.lower() in ALL_ATTRIBUTES | {"none"}:
        return None
    if value.lower() in ATTACHMENT_LEVELS:
        return (value.lower(),)
    return _selector(value, set(), ",+").values


def _v2_availability(segments: Segments, parameters: Parameters) -> AvailabilityQuery:
    flow, rest = _v2_flow(segments, "availability")
    filters, start, end = component_filters(parameters)
    component = rest[1] if len(rest) > 1 and rest[1] not in {"*", "all"} else None
    return AvailabilityQuery(
        flow=flow,
        key=_v2_key(rest),
        filters=filters,
        component=component,
        mode=parameters.choice("mode", AvailabilityMode, AvailabilityMode.EXACT),
        start=start,
        end=end,
        references=_references(parameters),
        include_drafts=parameters.flag("includeDrafts"),
    )


def _v2_structure(segments: Segments, parameters: Parameters) -> StructureQuery:
    if not segments:
        raise QuerySyntaxError("A v2 structure query is /v2/structure/TYPE/AGENCY/ID/VERSION.")
    resource = segments[0].lower()
    resource = "structure" if resource == "*" else resource
    if resource not in {*STRUCTURE_RESOURCES, "structure"} | EMPTY_RESOURCES:
        raise QuerySyntaxError(f"{segments[0]!r} is not an SDMX structure type.", resource=segments[0])
    return _structure(resource, segments[1:], parameters, ",+")


def _v2(segments: Segments, parameters: Parameters) -> SdmxQuery:
    if not segments:
        raise QuerySyntaxError("A v2 query is /v2/structure/..., /v2/data/... or /v2/availability/....")
    parsers: Mapping[str, Parser] = {
        "structure": _v2_structure,
        "data": _v2_data,
        "availability": _v2_availability,
        "schema": _schema,
    }
    parser = parsers.get(segments[0].lower())
    if parser is None:
        raise NotImplementedSdmxError(
            f"The v2 resource {segments[0]!r} is not available here; use structure, data, availability or schema."
        )
    return parser(segments[1:], parameters)


def _structure_parser(resource: str) -> Parser:
    return lambda segments, parameters: _structure(resource, segments, parameters, "+")


def _metadata(segments: Segments, parameters: Parameters) -> SdmxQuery:
    raise NotImplementedSdmxError(
        "Reference metadata queries (/metadata/...) are not available here; a dataflow's reference metadata "
        "are annotations of the dataflow: /dataflow/PIVGM/{id}."
    )


PARSERS: dict[str, Parser] = {
    "data": _data,
    "metadata": _metadata,
    "availableconstraint": _availability,
    "schema": _schema,
    "v2": _v2,
    **{name: _structure_parser(name) for name in (*STRUCTURE_RESOURCES, "structure", *EMPTY_RESOURCES)},
}


def kind_of(query: SdmxQuery) -> Kind:
    """Which family of formats answers ``query`` (availability answers with a structure message)."""
    if isinstance(query, DataQuery):
        return Kind.DATA
    if isinstance(query, SchemaQuery):
        return Kind.SCHEMA
    return Kind.STRUCTURE


def parse(path: str, query_string: Mapping[str, str]) -> SdmxQuery:
    """The query for ``path`` (below the API root) and its parameters."""
    segments = [s for s in path.strip("/").split("/")]
    while segments and segments[-1] == "":
        segments.pop()
    if not segments or not segments[0]:
        raise QuerySyntaxError(
            "Name a resource: /data/..., /dataflow/..., /datastructure/..., /codelist/..., "
            "/conceptscheme/..., /availableconstraint/..., /schema/... or /v2/...."
        )
    if any(s == "" for s in segments):
        raise QuerySyntaxError(f"The path {path!r} has an empty segment.", path=path)
    parser = PARSERS.get(segments[0].lower())
    if parser is None:
        raise QuerySyntaxError(
            f"{segments[0]!r} is not an SDMX REST resource. Resources: data, availableconstraint, schema, "
            f"{', '.join(STRUCTURE_RESOURCES)}, structure, and v2/....",
            resource=segments[0],
        )
    return parser(segments[1:], Parameters(query_string))
