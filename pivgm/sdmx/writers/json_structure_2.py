"""SDMX-JSON 2.0 structure messages (pysdmx's default and its registry client's), made from the 1.0 message:
the artefacts are the same; 2.0 follows the SDMX 3.0 model, so representations name a ``format`` with a
``dataType``, the time dimension is one ``timeDimension``, attributes have a ``usage`` and an observation or
dataflow relationship, the measure descriptor lists ``measures``, and constraints are ``dataConstraints``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pivgm.model import HierarchyAssociation
from pivgm.sdmx.messages import Header, SchemaMessage, StructureMessage
from pivgm.sdmx.writers.json_structure import SECTIONS, envelope, maintainable
from pivgm.sdmx.writers.registry import writer

SCHEMA = (
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/structure-message/tools/schemas/2.0.0/"
    "sdmx-json-structure-schema.json"
)
SECTION_NAMES = {"contentConstraints": "dataConstraints", "hierarchicalCodelists": "hierarchies"}


def _representation(representation: dict[str, Any]) -> dict[str, Any]:
    text = representation.get("textFormat")
    if text is None:
        return representation
    return {"format": {"dataType": text["textType"]}}


def _relationship(relationship: dict[str, Any]) -> dict[str, Any]:
    if "primaryMeasure" in relationship:
        return {"observation": {}}
    if "none" in relationship:
        return {"dataflow": {}}
    return relationship


def _components(components: dict[str, Any]) -> dict[str, Any]:
    dimensions = components["dimensionList"]
    (time,) = dimensions.pop("timeDimensions")
    dimensions["timeDimension"] = time  # one object in 2.0, a list of one in 1.0
    for dimension in [*dimensions["dimensions"], time]:
        dimension["localRepresentation"] = _representation(dimension["localRepresentation"])
    for attribute in components["attributeList"]["attributes"]:
        attribute["usage"] = "mandatory" if attribute.pop("assignmentStatus") == "Mandatory" else "optional"
        attribute["attributeRelationship"] = _relationship(attribute["attributeRelationship"])
        attribute["localRepresentation"] = _representation(attribute["localRepresentation"])
    measures = components["measureList"]
    measure = measures.pop("primaryMeasure")
    measure["urn"] = measure["urn"].replace(".PrimaryMeasure=", ".Measure=")
    measure["localRepresentation"] = _representation(measure["localRepresentation"])
    measures["measures"] = [measure]
    return components


def _hierarchy(entry: dict[str, Any]) -> dict[str, Any]:
    """SDMX 3.0 hierarchies stand alone: the one hierarchy of the 1.0 hierarchical codelist, maintainable."""
    hierarchies = entry.pop("hierarchies", None)
    entry["urn"] = entry["urn"].replace(".HierarchicalCodelist=", ".Hierarchy=")
    if hierarchies:
        entry["hasFormalLevels"] = False
        entry["hierarchicalCodes"] = hierarchies[0]["hierarchicalCodes"]
    return entry


def _artefact(section: str, entry: dict[str, Any]) -> dict[str, Any]:
    if section == "dataStructures" and "dataStructureComponents" in entry:
        entry["dataStructureComponents"] = _components(entry["dataStructureComponents"])
    if section == "hierarchicalCodelists":
        entry = _hierarchy(entry)
    if section == "contentConstraints":
        entry["urn"] = entry["urn"].replace(".ContentConstraint=", ".DataConstraint=")
        entry["role"] = entry.pop("type")
    return entry


def _association(association: HierarchyAssociation, message: StructureMessage) -> dict[str, Any]:
    entry = maintainable(association, association.urn, association.name, message.detail_of(association))
    entry["linkedHierarchy"] = association.hierarchy.urn
    entry["linkedObject"] = association.linked_object
    entry["contextObject"] = association.dataflow.urn
    return entry


@writer("structure-json-2.0")
def structure_json_2(message: StructureMessage) -> Iterator[bytes]:
    data = {
        SECTION_NAMES.get(key, key): [_artefact(key, write(artefact, message)) for artefact in getattr(message, field)]
        for key, field, write in SECTIONS
        if getattr(message, field)
    }
    if message.associations:
        data["hierarchyAssociations"] = [_association(a, message) for a in message.associations]
    yield envelope(SCHEMA, message.header, data)


@writer("schema-json-2.0")
def schema_json_2(message: SchemaMessage) -> Iterator[bytes]:
    """A v2 schema query's answer in SDMX-JSON 2.0: the data structure (with the dataflow for the dataflow
    context) and the concepts and codelists its components use, as pysdmx's registry client reads it."""
    structure = message.dataflow.structure
    concepts = message.concepts
    yield from structure_json_2(
        StructureMessage(
            header=Header.new(),
            dataflows=(message.dataflow,) if message.context == "dataflow" else (),
            structures=(structure,),
            codelists=tuple(structure.codelists()),
            concept_schemes=(concepts,) if concepts is not None else (),
            concepts=concepts,
        )
    )
