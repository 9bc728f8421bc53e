"""SDMX-JSON 1.0 structure messages: the same artefacts as the SDMX-ML ones, references as URNs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from pivgm.model import (
    AttributeAttachment,
    Codelist,
    ConceptScheme,
    Dataflow,
    DataStructure,
    HierarchicalCode,
    Hierarchy,
    LocalizedText,
)
from pivgm.sdmx.languages import content_languages, localize
from pivgm.sdmx.messages import (
    CubeRegion,
    DataProviderScheme,
    Header,
    StructureMessage,
    Stub,
    code_urn,
    concept_scheme_urn,
    hierarchy_urns,
)
from pivgm.sdmx.writers.registry import writer

SCHEMA = (
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/structure-message/tools/schemas/"
    "1.0/sdmx-json-structure-schema.json"
)
NAME_LANGUAGE = "en"


def _named(text: LocalizedText, description: LocalizedText | None = None) -> dict[str, Any]:
    named: dict[str, Any] = {"name": text.get(NAME_LANGUAGE), "names": text.to_dict()}
    if description is not None and description.texts:
        named["description"] = description.get(NAME_LANGUAGE)
        named["descriptions"] = description.to_dict()
    return named


def maintainable(
    artefact: Any, urn: str, name: LocalizedText, detail: str, description: LocalizedText | None = None
) -> dict[str, Any]:
    entry = {"id": artefact.id, "urn": urn, "agencyID": artefact.agency, "version": artefact.version}
    entry.update(_named(name, description if detail != Stub.STUB else None))
    if detail != Stub.FULL:
        entry["isExternalReference"] = True
    return entry


def _dataflow(dataflow: Dataflow, message: StructureMessage) -> dict[str, Any]:
    detail = message.detail_of(dataflow)
    entry = maintainable(dataflow, dataflow.urn, dataflow.name, detail, dataflow.description)
    hidden = message.not_displayed.get(dataflow.id)
    if hidden and detail != Stub.STUB:
        entry["annotations"] = [{"type": "NOT_DISPLAYED", "title": hidden}]
    if detail == Stub.FULL:
        entry["structure"] = dataflow.structure.urn
    return entry


def _codelist(codelist: Codelist, message: StructureMessage) -> dict[str, Any]:
    detail = message.detail_of(codelist)
    entry = maintainable(codelist, codelist.urn, codelist.name, detail, codelist.description)
    items = message.items_of(codelist)
    if items is not None:
        entry["isPartial"] = True
    if detail == Stub.FULL:
        base = codelist.urn.replace(".Codelist=", ".Code=")
        entry["codes"] = [
            {
                "id": code.id,
                "urn": f"{base}.{code.id}",
                **_named(code.name, code.description),
                **({"parent": code.parent} if code.parent and (items is None or code.parent in items) else {}),
                **(
                    {"annotations": [{"type": k, "title": v} for k, v in code.annotations.items()]}
                    if code.annotations
                    else {}
                ),
            }
            for code in codelist.codes
            if items is None or code.id in items
        ]
    return entry


def _hierarchical_code(node: HierarchicalCode, codelist: Codelist) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": node.code, "code": code_urn(codelist, node.code)}
    if node.children:
        entry["hierarchicalCodes"] = [_hierarchical_code(child, codelist) for child in node.children]
    return entry


def _hierarchical_codelist(hierarchy: Hierarchy, message: StructureMessage) -> dict[str, Any]:
    """A hierarchical codelist holding ``hierarchy`` as its one hierarchy (the SDMX 2.1 model)."""
    detail = message.detail_of(hierarchy)
    urn, hierarchy_urn = hierarchy_urns(hierarchy)
    entry = maintainable(hierarchy, urn, hierarchy.name, detail, hierarchy.description)
    if detail == Stub.FULL:
        codes = [_hierarchical_code(root, hierarchy.codelist) for root in hierarchy.codes]
        entry["hierarchies"] = [
            {"id": hierarchy.id, "urn": hierarchy_urn, **_named(hierarchy.name), "hierarchicalCodes": codes}
        ]
    return entry


def _concepts(scheme: ConceptScheme, message: StructureMessage) -> dict[str, Any]:
    detail = message.detail_of(scheme)
    urn = concept_scheme_urn(scheme)
    entry = maintainable(scheme, urn, scheme.name, detail)
    items = message.items_of(scheme)
    if items is not None:
        entry["isPartial"] = True
    if detail == Stub.FULL:
        base = urn.replace(".ConceptScheme=", ".Concept=")
        entry["concepts"] = [
            {"id": c.id, "urn": f"{base}.{c.id}", **_named(c.name, c.description)}
            for c in scheme.concepts
            if items is None or c.id in items
        ]
    return entry


def _providers(scheme: DataProviderScheme, message: StructureMessage) -> dict[str, Any]:
    detail = message.detail_of(scheme)
    entry = maintainable(scheme, scheme.urn, scheme.name, detail)
    if detail == Stub.FULL:
        base = scheme.urn.replace(".DataProviderScheme=", ".DataProvider=")
        entry["dataProviders"] = [{"id": p.id, "urn": f"{base}.{p.id}", **_named(p.name)} for p in scheme.providers]
    return entry


def _representation(codelist: Codelist | None, text_type: str) -> dict[str, Any]:
    return {"enumeration": codelist.urn} if codelist is not None else {"textFormat": {"textType": text_type}}


def _components(structure: DataStructure, concepts: ConceptScheme) -> dict[str, Any]:
    concept = concept_scheme_urn(concepts).replace(".ConceptScheme=", ".Concept=")
    ident = f"{structure.agency}:{structure.id}({structure.version})"

    def urn(kind: str, component_id: str) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.datastructure.{kind}={ident}.{component_id}"

    def relationship(attachment: AttributeAttachment) -> dict[str, Any]:
        if attachment is AttributeAttachment.OBSERVATION:
            return {"primaryMeasure": structure.measure.id}
        if attachment is AttributeAttachment.SERIES:
            return {"dimensions": list(structure.dimension_ids)}
        return {"none": {}}

    return {
        "dimensionList": {
            "id": "DimensionDescriptor",
            "urn": urn("DimensionDescriptor", "DimensionDescriptor"),
            "dimensions": [
                {
                    "id": d.id,
                    "urn": urn("Dimension", d.id),
                    "position": d.position,
                    "type": "Dimension",
                    "conceptIdentity": f"{concept}.{d.id}",
                    "localRepresentation": _representation(d.codelist, "String"),
                }
                for d in structure.dimensions
            ],
            "timeDimensions": [
                {
                    "id": structure.time_dimension,
                    "urn": urn("TimeDimension", structure.time_dimension),
                    "position": len(structure.dimensions),
                    "type": "TimeDimension",
                    "conceptIdentity": f"{concept}.{structure.time_dimension}",
                    "localRepresentation": {"textFormat": {"textType": "ObservationalTimePeriod"}},
                }
            ],
        },
        "attributeList": {
            "id": "AttributeDescriptor",
            "urn": urn("AttributeDescriptor", "AttributeDescriptor"),
            "attributes": [
                {
                    "id": a.id,
                    "urn": urn("DataAttribute", a.id),
                    "assignmentStatus": "Mandatory" if a.mandatory else "Conditional",
                    "attributeRelationship": relationship(a.attachment),
                    "conceptIdentity": f"{concept}.{a.id}",
                    "localRepresentation": _representation(a.codelist, "String"),
                }
                for a in structure.published_attributes
            ],
        },
        "measureList": {
            "id": "MeasureDescriptor",
            "urn": urn("MeasureDescriptor", "MeasureDescriptor"),
            "primaryMeasure": {
                "id": structure.measure.id,
                "urn": urn("PrimaryMeasure", structure.measure.id),
                "conceptIdentity": f"{concept}.{structure.measure.id}",
                "localRepresentation": {"textFormat": {"textType": "Double"}},
            },
        },
    }


def _structure(structure: DataStructure, message: StructureMessage) -> dict[str, Any]:
    detail = message.detail_of(structure)
    entry = maintainable(structure, structure.urn, structure.name, detail)
    if detail == Stub.FULL and message.concepts is not None:
        entry["dataStructureComponents"] = _components(structure, message.concepts)
    return entry


def _constraint(region: CubeRegion, _: StructureMessage) -> dict[str, Any]:
    dataflow = region.dataflow
    key_values: list[dict[str, Any]] = [
        {"id": component, "values": list(codes)} for component, codes in region.codes.items() if codes
    ]
    if region.start and region.end:
        key_values.append(
            {
                "id": dataflow.structure.time_dimension,
                "timeRange": {
                    "startPeriod": {"period": region.start, "isInclusive": True},
                    "endPeriod": {"period": region.end, "isInclusive": True},
                },
            }
        )
    return {
        "id": f"CC_{dataflow.id}",
        "urn": f"urn:sdmx:org.sdmx.infomodel.registry.ContentConstraint={dataflow.agency}:CC_{dataflow.id}(1.0)",
        "agencyID": dataflow.agency,
        "version": "1.0",
        "name": f"Data available in {dataflow.id}",
        "names": {"es": f"Datos disponibles de {dataflow.id}", "en": f"Data available in {dataflow.id}"},
        "annotations": [{"id": "obs_count", "title": str(region.observations), "type": "sdmx_metrics"}],
        "type": "Actual",
        "constraintAttachment": {"dataflows": [dataflow.urn]},
        "cubeRegions": [{"isIncluded": True, "keyValues": key_values}],
    }


SECTIONS: tuple[tuple[str, str, Callable[[Any, StructureMessage], dict[str, Any]]], ...] = (
    ("dataProviderSchemes", "provider_schemes", _providers),
    ("dataflows", "dataflows", _dataflow),
    ("codelists", "codelists", _codelist),
    ("hierarchicalCodelists", "hierarchies", _hierarchical_codelist),
    ("conceptSchemes", "concept_schemes", _concepts),
    ("dataStructures", "structures", _structure),
    ("contentConstraints", "constraints", _constraint),
)


def envelope(schema: str, header: Header, data: dict[str, Any]) -> bytes:
    """The SDMX-JSON structure message (1.0 or 2.0, by ``schema``) around ``data``, its ``name`` texts in the
    header's language."""
    meta = {
        "schema": schema,
        "id": header.id,
        "test": False,
        "prepared": header.prepared_text,
        "contentLanguages": content_languages(header.language),
        "sender": {"id": header.sender},
    }
    return json.dumps({"meta": meta, "data": localize(data, header.language)}, ensure_ascii=False).encode()


@writer("structure-json-1.0")
def structure_json(message: StructureMessage) -> Iterator[bytes]:
    data = {
        key: [write(artefact, message) for artefact in getattr(message, field)]
        for key, field, write in SECTIONS
        if getattr(message, field)
    }
    yield envelope(SCHEMA, message.header, data)
