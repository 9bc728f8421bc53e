"""SDMX-ML 3.0 structure messages (``application/vnd.sdmx.structure+xml;version=3.0.0``): the artefacts of
the SDMX-ML 2.1 messages in the SDMX 3.0 model. References are URNs; attributes have a ``usage`` and an
observation, dimension or dataflow relationship; the measure descriptor lists ``Measure``s; hierarchies stand
alone; availability is a ``DataConstraint`` with the role ``Actual``; artefacts come in alphabetical sections."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from pivgm.model import (
    AttributeAttachment,
    Codelist,
    ConceptScheme,
    Dataflow,
    DataStructure,
    HierarchicalCode,
    Hierarchy,
    HierarchyAssociation,
    LocalizedText,
)
from pivgm.sdmx.messages import (
    Artefact,
    CubeRegion,
    DataProviderScheme,
    Header,
    StructureMessage,
    Stub,
    code_urn,
    concept_scheme_urn,
)
from pivgm.sdmx.writers.registry import writer

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_BASE = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0"
NSMAP = {"message": f"{_BASE}/message", "common": f"{_BASE}/common", "structure": f"{_BASE}/structure"}
Annotation = tuple[str, str | None, LocalizedText | None]


def _sub(parent: etree._Element, prefix: str, name: str, text: str | None = None, **attributes: str) -> Any:
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attributes)
    if text is not None:
        node.text = text
    return node


def _texts(parent: etree._Element, element: str, text: LocalizedText) -> None:
    for language, value in text.texts.items():
        if value.strip():
            _sub(parent, "common", element, value).set(XML_LANG, language)


def _annotations(parent: etree._Element, annotations: list[Annotation]) -> None:
    if not annotations:
        return
    container = _sub(parent, "common", "Annotations")
    for kind, title, text in annotations:
        annotation = _sub(container, "common", "Annotation")
        if title:
            _sub(annotation, "common", "AnnotationTitle", title)
        _sub(annotation, "common", "AnnotationType", kind)
        if text is not None:
            _texts(annotation, "AnnotationText", text)


def _maintainable(
    parent: etree._Element,
    element: str,
    artefact: Artefact,
    urn: str,
    detail: str,
    name: LocalizedText,
    description: LocalizedText | None = None,
    annotations: list[Annotation] | None = None,
) -> Any:
    node = _sub(parent, "structure", element, id=artefact.id, urn=urn, agencyID=artefact.agency)
    node.set("version", artefact.version)
    if detail != Stub.FULL:
        node.set("isExternalReference", "true")
    if detail != Stub.STUB:
        _annotations(node, annotations or [])
    _texts(node, "Name", name)
    if description is not None and detail != Stub.STUB:
        _texts(node, "Description", description)
    return node


def _item(parent: etree._Element, element: str, item_id: str, urn: str, name: LocalizedText) -> Any:
    node = _sub(parent, "structure", element, id=item_id, urn=urn)
    _texts(node, "Name", name)
    return node


def _dataflow(parent: etree._Element, dataflow: Dataflow, message: StructureMessage) -> None:
    detail = message.detail_of(dataflow)
    metadata = dataflow.metadata
    annotations: list[Annotation] = [
        ("PIVGM_THEME", dataflow.theme, None),
        ("PIVGM_DEFINITION", None, metadata.definition),
        ("PIVGM_SOURCE", metadata.source_url or None, metadata.source),
        ("PIVGM_COVERAGE", None, metadata.coverage),
        ("PIVGM_METHODOLOGY", None, metadata.methodology),
        ("PIVGM_COMPARABILITY", None, metadata.comparability),
        ("PIVGM_LICENCE", None, metadata.licence),
    ]
    node = _maintainable(
        parent, "Dataflow", dataflow, dataflow.urn, detail, dataflow.name, dataflow.description, annotations
    )
    if detail == Stub.FULL:
        _sub(node, "structure", "Structure", dataflow.structure.urn)


def _codelist(parent: etree._Element, codelist: Codelist, message: StructureMessage) -> None:
    detail = message.detail_of(codelist)
    node = _maintainable(parent, "Codelist", codelist, codelist.urn, detail, codelist.name, codelist.description)
    items = message.items_of(codelist)
    if items is not None:
        node.set("isPartial", "true")
    if detail != Stub.FULL:
        return
    for code in codelist.codes:
        if items is not None and code.id not in items:
            continue
        child = _sub(node, "structure", "Code", id=code.id, urn=code_urn(codelist, code.id))
        annotations: list[Annotation] = [(key, value, None) for key, value in code.annotations.items()]
        if code.members:
            annotations.append(("PIVGM_MEMBERS", " ".join(code.members)[:4000], None))
        _annotations(child, annotations)
        _texts(child, "Name", code.name)
        _texts(child, "Description", code.description)
        if code.parent and (items is None or code.parent in items):
            _sub(child, "structure", "Parent", code.parent)


def _concepts(parent: etree._Element, scheme: ConceptScheme, message: StructureMessage) -> None:
    detail = message.detail_of(scheme)
    urn = concept_scheme_urn(scheme)
    node = _maintainable(parent, "ConceptScheme", scheme, urn, detail, scheme.name)
    items = message.items_of(scheme)
    if items is not None:
        node.set("isPartial", "true")
    if detail != Stub.FULL:
        return
    base = urn.replace(".ConceptScheme=", ".Concept=")
    for concept in scheme.concepts:
        if items is None or concept.id in items:
            child = _item(node, "Concept", concept.id, f"{base}.{concept.id}", concept.name)
            _texts(child, "Description", concept.description)


def _providers(parent: etree._Element, scheme: DataProviderScheme, message: StructureMessage) -> None:
    detail = message.detail_of(scheme)
    node = _maintainable(parent, "DataProviderScheme", scheme, scheme.urn, detail, scheme.name)
    del node.attrib["version"]  # fixed at 1.0 in SDMX 3.0, and not written
    if detail == Stub.FULL:
        base = scheme.urn.replace(".DataProviderScheme=", ".DataProvider=")
        for provider in scheme.providers:
            _item(node, "DataProvider", provider.id, f"{base}.{provider.id}", provider.name)


def _hierarchical_code(parent: etree._Element, node: HierarchicalCode, hierarchy: Hierarchy, path: str) -> None:
    urn = f"{path}.{node.code}"
    child = _sub(parent, "structure", "HierarchicalCode", id=node.code, urn=urn)
    _sub(child, "structure", "Code", code_urn(hierarchy.codelist, node.code))
    for grandchild in node.children:
        _hierarchical_code(child, grandchild, hierarchy, urn)


def _hierarchy(parent: etree._Element, hierarchy: Hierarchy, _: StructureMessage) -> None:
    """Whole even when stubs are asked for: SDMX-ML 3.0 requires a hierarchy's codes."""
    urn = hierarchy.urn
    node = _maintainable(parent, "Hierarchy", hierarchy, urn, Stub.FULL, hierarchy.name, hierarchy.description)
    node.set("hasFormalLevels", "false")
    path = urn.replace(".Hierarchy=", ".HierarchicalCode=")
    for root in hierarchy.codes:
        _hierarchical_code(node, root, hierarchy, path)


def _association(parent: etree._Element, association: HierarchyAssociation, message: StructureMessage) -> None:
    detail = message.detail_of(association)
    node = _maintainable(parent, "HierarchyAssociation", association, association.urn, detail, association.name)
    _sub(node, "structure", "LinkedHierarchy", association.hierarchy.urn)
    _sub(node, "structure", "LinkedObject", association.linked_object)
    _sub(node, "structure", "ContextObject", association.dataflow.urn)


def _representation(node: etree._Element, codelist: Codelist | None, text_type: str) -> None:
    representation = _sub(node, "structure", "LocalRepresentation")
    if codelist is not None:
        _sub(representation, "structure", "Enumeration", codelist.urn)
    else:
        _sub(representation, "structure", "TextFormat", textType=text_type)


def _components(node: etree._Element, structure: DataStructure, scheme: ConceptScheme) -> None:
    ident = f"{structure.agency}:{structure.id}({structure.version})"
    concept = concept_scheme_urn(scheme).replace(".ConceptScheme=", ".Concept=")

    def urn(kind: str, component_id: str) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.datastructure.{kind}={ident}.{component_id}"

    def component(parent: etree._Element, element: str, kind: str, component_id: str, **attributes: str) -> Any:
        return _sub(parent, "structure", element, id=component_id, urn=urn(kind, component_id), **attributes)

    components = _sub(node, "structure", "DataStructureComponents")
    dimensions = component(components, "DimensionList", "DimensionDescriptor", "DimensionDescriptor")
    for dimension in structure.dimensions:
        child = component(dimensions, "Dimension", "Dimension", dimension.id, position=str(dimension.position + 1))
        _annotations(child, [("PIVGM_COMPONENT_NAME", None, dimension.name)])
        _sub(child, "structure", "ConceptIdentity", f"{concept}.{dimension.id}")
        _representation(child, dimension.codelist, "String")
    time = component(dimensions, "TimeDimension", "TimeDimension", structure.time_dimension)
    _sub(time, "structure", "ConceptIdentity", f"{concept}.{structure.time_dimension}")
    _representation(time, None, "ObservationalTimePeriod")
    attributes = component(components, "AttributeList", "AttributeDescriptor", "AttributeDescriptor")
    for attribute in structure.published_attributes:
        usage = "mandatory" if attribute.mandatory else "optional"
        child = component(attributes, "Attribute", "DataAttribute", attribute.id, usage=usage)
        _annotations(child, [("PIVGM_COMPONENT_NAME", None, attribute.name)])
        _sub(child, "structure", "ConceptIdentity", f"{concept}.{attribute.id}")
        _representation(child, attribute.codelist, "String")
        relationship = _sub(child, "structure", "AttributeRelationship")
        if attribute.attachment is AttributeAttachment.OBSERVATION:
            _sub(relationship, "structure", "Observation")
        elif attribute.attachment is AttributeAttachment.SERIES:
            for dimension in structure.dimensions:
                _sub(relationship, "structure", "Dimension", dimension.id)
        else:
            _sub(relationship, "structure", "Dataflow")
    measures = component(components, "MeasureList", "MeasureDescriptor", "MeasureDescriptor")
    measure = component(measures, "Measure", "Measure", structure.measure.id)
    _sub(measure, "structure", "ConceptIdentity", f"{concept}.{structure.measure.id}")
    _representation(measure, None, "Double")


def _structure(parent: etree._Element, structure: DataStructure, message: StructureMessage) -> None:
    detail = message.detail_of(structure)
    node = _maintainable(parent, "DataStructure", structure, structure.urn, detail, structure.name)
    if detail == Stub.FULL and message.concepts is not None:
        _components(node, structure, message.concepts)


def _constraint(parent: etree._Element, region: CubeRegion, _: StructureMessage) -> None:
    dataflow = region.dataflow
    constraint_id = f"CC_{dataflow.id}"
    urn = f"urn:sdmx:org.sdmx.infomodel.registry.DataConstraint={dataflow.agency}:{constraint_id}(1.0)"
    node = _sub(
        parent, "structure", "DataConstraint", id=constraint_id, urn=urn, agencyID=dataflow.agency, version="1.0"
    )
    node.set("role", "Actual")
    _annotations(node, [("sdmx_metrics", str(region.observations), None)])
    node[-1][0].set("id", "obs_count")
    names = {"es": f"Datos disponibles de {dataflow.id}", "en": f"Data available in {dataflow.id}"}
    _texts(node, "Name", LocalizedText(names))
    _sub(_sub(node, "structure", "ConstraintAttachment"), "structure", "Dataflow", dataflow.urn)
    cube = _sub(node, "structure", "CubeRegion", include="true")
    for component_id, codes in region.codes.items():
        if codes:
            key = _sub(cube, "structure", "KeyValue", id=component_id)
            for code in codes:
                _sub(key, "structure", "Value", code)
    if region.start and region.end:
        time_range = _sub(
            _sub(cube, "structure", "KeyValue", id=dataflow.structure.time_dimension), "structure", "TimeRange"
        )
        _sub(time_range, "structure", "StartPeriod", region.start, isInclusive="true")
        _sub(time_range, "structure", "EndPeriod", region.end, isInclusive="true")


def _header(root: etree._Element, header: Header) -> None:
    node = _sub(root, "message", "Header")
    _sub(node, "message", "ID", header.id)
    _sub(node, "message", "Test", "false")
    _sub(node, "message", "Prepared", header.prepared_text)
    _sub(node, "message", "Sender", id=header.sender)


ArtefactWriter = Callable[[etree._Element, Any, StructureMessage], None]

# SDMX-ML 3.0 lists the sections of a structure message alphabetically.
SECTIONS: tuple[tuple[str, str, ArtefactWriter], ...] = (
    ("Codelists", "codelists", _codelist),
    ("ConceptSchemes", "concept_schemes", _concepts),
    ("DataConstraints", "constraints", _constraint),
    ("Dataflows", "dataflows", _dataflow),
    ("DataProviderSchemes", "provider_schemes", _providers),
    ("DataStructures", "structures", _structure),
    ("Hierarchies", "hierarchies", _hierarchy),
    ("HierarchyAssociations", "associations", _association),
)


@writer("structure-3.0")
def structure_xml_3(message: StructureMessage) -> Iterator[bytes]:
    root = etree.Element(f"{{{NSMAP['message']}}}Structure", nsmap=NSMAP)
    _header(root, message.header)
    structures = _sub(root, "message", "Structures")
    for section, field_name, write in SECTIONS:
        artefacts = getattr(message, field_name)
        if artefacts:
            container = _sub(structures, "structure", section)
            for artefact in artefacts:
                write(container, artefact, message)
    yield etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
