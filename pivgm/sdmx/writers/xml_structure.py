"""SDMX-ML 2.1 structure messages: dataflows, data structures, codelists, concepts, data providers and
actual content constraints (availability), with names and descriptions in Spanish and English."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from pivgm.model import (
    AttributeAttachment,
    Code,
    Codelist,
    ConceptScheme,
    Dataflow,
    DataStructure,
    HierarchicalCode,
    Hierarchy,
    LocalizedText,
)
from pivgm.sdmx.messages import (
    Artefact,
    CubeRegion,
    DataProviderScheme,
    Header,
    StructureMessage,
    Stub,
    concept_scheme_urn,
    hierarchy_urns,
)
from pivgm.sdmx.writers.registry import writer
from pivgm.sdmx.writers.xml_data import NAMESPACES

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {
    "message": NAMESPACES["message"],
    "common": NAMESPACES["common"],
    "structure": f"{NAMESPACES['message'].rsplit('/', 1)[0]}/structure",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{NSMAP[prefix]}}}{name}"


def _sub(parent: etree._Element, prefix: str, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, _q(prefix, name), {k: v for k, v in attributes.items() if v is not None})


def _texts(parent: etree._Element, element: str, text: LocalizedText) -> None:
    for language, value in text.texts.items():
        if value.strip():
            _sub(parent, "common", element).text = value
            parent[-1].set(XML_LANG, language)


def _annotations(parent: etree._Element, annotations: list[tuple[str, str | None, LocalizedText | None]]) -> None:
    """``(type, title, text)`` annotations, written only when there are any."""
    if not annotations:
        return
    container = _sub(parent, "common", "Annotations")
    for kind, title, text in annotations:
        annotation = _sub(container, "common", "Annotation")
        if title:
            _sub(annotation, "common", "AnnotationTitle").text = title
        _sub(annotation, "common", "AnnotationType").text = kind
        if text is not None:
            _texts(annotation, "AnnotationText", text)


def _maintainable(parent: etree._Element, element: str, artefact: Artefact, urn: str, detail: str) -> etree._Element:
    node = _sub(parent, "structure", element, id=artefact.id, urn=urn, agencyID=artefact.agency)
    node.set("version", artefact.version)
    if detail == Stub.STUB or detail == Stub.COMPLETE:
        node.set("isExternalReference", "true")
    return node


def _ref(parent: etree._Element, **attributes: str) -> None:
    etree.SubElement(parent, "Ref", attributes)


def _named(node: etree._Element, name: LocalizedText, description: LocalizedText | None, detail: str) -> None:
    _texts(node, "Name", name)
    if description is not None and detail != Stub.STUB:
        _texts(node, "Description", description)


def _dataflow(parent: etree._Element, dataflow: Dataflow, detail: str, not_displayed: str | None = None) -> None:
    node = _maintainable(parent, "Dataflow", dataflow, dataflow.urn, detail)
    if detail != Stub.STUB:
        metadata = dataflow.metadata
        _annotations(
            node,
            [
                ("PIVGM_THEME", dataflow.theme, None),
                ("PIVGM_DEFINITION", None, metadata.definition),
                ("PIVGM_SOURCE", metadata.source_url or None, metadata.source),
                ("PIVGM_COVERAGE", None, metadata.coverage),
                ("PIVGM_METHODOLOGY", None, metadata.methodology),
                ("PIVGM_COMPARABILITY", None, metadata.comparability),
                ("PIVGM_LICENCE", None, metadata.licence),
                *([("NOT_DISPLAYED", not_displayed, None)] if not_displayed else []),
            ],
        )
    _named(node, dataflow.name, dataflow.description, detail)
    if detail == Stub.FULL:
        structure = _sub(node, "structure", "Structure")
        _ref(
            structure,
            id=dataflow.structure.id,
            version=dataflow.structure.version,
            agencyID=dataflow.structure.agency,
            package="datastructure",
            **{"class": "DataStructure"},
        )


def _code(parent: etree._Element, codelist: Codelist, code: Code, items: frozenset[str] | None) -> None:
    node = _sub(
        parent, "structure", "Code", id=code.id, urn=f"{codelist.urn.replace('.Codelist=', '.Code=')}.{code.id}"
    )
    annotations: list[tuple[str, str | None, LocalizedText | None]] = [
        (key, value, None) for key, value in code.annotations.items()
    ]
    if code.members:
        annotations.append(("PIVGM_MEMBERS", " ".join(code.members)[:4000], None))
    _annotations(node, annotations)
    _named(node, code.name, code.description, Stub.FULL)
    if code.parent and (items is None or code.parent in items):  # a partial list may leave the parent out
        _ref(_sub(node, "structure", "Parent"), id=code.parent)


def _codelist(parent: etree._Element, codelist: Codelist, detail: str, items: frozenset[str] | None) -> None:
    node = _maintainable(parent, "Codelist", codelist, codelist.urn, detail)
    if items is not None:
        node.set("isPartial", "true")
    _named(node, codelist.name, codelist.description, detail)
    if detail == Stub.FULL:
        for code in codelist.codes:
            if items is None or code.id in items:
                _code(node, codelist, code, items)


def _hierarchical_code(parent: etree._Element, node: HierarchicalCode, codelist: Codelist) -> None:
    child = _sub(parent, "structure", "HierarchicalCode", id=node.code)
    _ref(
        _sub(child, "structure", "Code"),
        id=node.code,
        maintainableParentID=codelist.id,
        maintainableParentVersion=codelist.version,
        agencyID=codelist.agency,
    )
    for grandchild in node.children:
        _hierarchical_code(child, grandchild, codelist)


def _hierarchical_codelist(parent: etree._Element, hierarchy: Hierarchy, detail: str) -> None:
    """SDMX 2.1 has no stand-alone hierarchy: each is the one hierarchy of a hierarchical codelist."""
    urn, hierarchy_urn = hierarchy_urns(hierarchy)
    node = _maintainable(parent, "HierarchicalCodelist", hierarchy, urn, detail)
    _named(node, hierarchy.name, hierarchy.description, detail)
    if detail != Stub.FULL:
        return
    codelist = hierarchy.codelist
    _ref(
        _sub(node, "structure", "IncludedCodelist", alias=codelist.id),
        id=codelist.id,
        version=codelist.version,
        agencyID=codelist.agency,
        package="codelist",
        **{"class": "Codelist"},
    )
    tree = _sub(node, "structure", "Hierarchy", id=hierarchy.id, urn=hierarchy_urn)
    _named(tree, hierarchy.name, None, Stub.FULL)
    for root in hierarchy.codes:
        _hierarchical_code(tree, root, codelist)


def _concepts(parent: etree._Element, scheme: ConceptScheme, detail: str, items: frozenset[str] | None) -> None:
    urn = concept_scheme_urn(scheme)
    node = _maintainable(parent, "ConceptScheme", scheme, urn, detail)
    if items is not None:
        node.set("isPartial", "true")
    _named(node, scheme.name, None, detail)
    if detail == Stub.FULL:
        for concept in scheme.concepts:
            if items is None or concept.id in items:
                concept_urn = urn.replace(".ConceptScheme=", ".Concept=") + f".{concept.id}"
                child = _sub(node, "structure", "Concept", id=concept.id, urn=concept_urn)
                _named(child, concept.name, concept.description, Stub.FULL)


def _providers(parent: etree._Element, scheme: DataProviderScheme, detail: str) -> None:
    node = _maintainable(parent, "DataProviderScheme", scheme, scheme.urn, detail)
    _named(node, scheme.name, None, detail)
    if detail == Stub.FULL:
        for provider in scheme.providers:
            urn = scheme.urn.replace(".DataProviderScheme=", ".DataProvider=") + f".{provider.id}"
            _named(_sub(node, "structure", "DataProvider", id=provider.id, urn=urn), provider.name, None, Stub.FULL)


def _component_refs(node: etree._Element, component_id: str, scheme: ConceptScheme) -> None:
    identity = _sub(node, "structure", "ConceptIdentity")
    _ref(
        identity,
        id=component_id,
        maintainableParentID=scheme.id,
        maintainableParentVersion=scheme.version,
        agencyID=scheme.agency,
        package="conceptscheme",
        **{"class": "Concept"},
    )


def _representation(node: etree._Element, codelist: Codelist | None, text_type: str) -> None:
    representation = _sub(node, "structure", "LocalRepresentation")
    if codelist is None:
        _sub(representation, "structure", "TextFormat", textType=text_type)
        return
    _ref(
        _sub(representation, "structure", "Enumeration"),
        id=codelist.id,
        version=codelist.version,
        agencyID=codelist.agency,
        package="codelist",
        **{"class": "Codelist"},
    )


def _name_annotation(node: etree._Element, name: LocalizedText) -> None:
    """A component's own name (e.g. REF_AREA as "country of asylum"), which SDMX 2.1 gives concepts only."""
    _annotations(node, [("PIVGM_COMPONENT_NAME", None, name)])


def _components(node: etree._Element, structure: DataStructure, scheme: ConceptScheme) -> None:
    ident = f"{structure.agency}:{structure.id}({structure.version})"
    components = _sub(node, "structure", "DataStructureComponents")

    def urn(kind: str, component_id: str) -> str:
        return f"urn:sdmx:org.sdmx.infomodel.datastructure.{kind}={ident}.{component_id}"

    dimensions = _sub(
        components,
        "structure",
        "DimensionList",
        id="DimensionDescriptor",
        urn=urn("DimensionDescriptor", "DimensionDescriptor"),
    )
    for dimension in structure.dimensions:
        child = _sub(
            dimensions,
            "structure",
            "Dimension",
            id=dimension.id,
            urn=urn("Dimension", dimension.id),
            position=str(dimension.position + 1),
        )
        _name_annotation(child, dimension.name)
        _component_refs(child, dimension.id, scheme)
        _representation(child, dimension.codelist, "String")
    time = _sub(
        dimensions,
        "structure",
        "TimeDimension",
        id=structure.time_dimension,
        urn=urn("TimeDimension", structure.time_dimension),
        position=str(len(structure.dimensions) + 1),
    )
    _component_refs(time, structure.time_dimension, scheme)
    _representation(time, None, "ObservationalTimePeriod")
    attributes = _sub(
        components,
        "structure",
        "AttributeList",
        id="AttributeDescriptor",
        urn=urn("AttributeDescriptor", "AttributeDescriptor"),
    )
    for attribute in structure.published_attributes:
        child = _sub(
            attributes,
            "structure",
            "Attribute",
            id=attribute.id,
            urn=urn("DataAttribute", attribute.id),
            assignmentStatus="Mandatory" if attribute.mandatory else "Conditional",
        )
        _name_annotation(child, attribute.name)
        _component_refs(child, attribute.id, scheme)
        _representation(child, attribute.codelist, "String")
        relationship = _sub(child, "structure", "AttributeRelationship")
        if attribute.attachment is AttributeAttachment.OBSERVATION:
            _ref(_sub(relationship, "structure", "PrimaryMeasure"), id=structure.measure.id)
        elif attribute.attachment is AttributeAttachment.SERIES:
            for dimension in structure.dimensions:
                _ref(_sub(relationship, "structure", "Dimension"), id=dimension.id)
        else:
            _sub(relationship, "structure", "None")
    measures = _sub(
        components,
        "structure",
        "MeasureList",
        id="MeasureDescriptor",
        urn=urn("MeasureDescriptor", "MeasureDescriptor"),
    )
    measure = _sub(
        measures,
        "structure",
        "PrimaryMeasure",
        id=structure.measure.id,
        urn=urn("PrimaryMeasure", structure.measure.id),
    )
    _component_refs(measure, structure.measure.id, scheme)
    _representation(measure, None, "Double")


def _structure(parent: etree._Element, structure: DataStructure, detail: str, scheme: ConceptScheme | None) -> None:
    node = _maintainable(parent, "DataStructure", structure, structure.urn, detail)
    _named(node, structure.name, None, detail)
    if detail == Stub.FULL and scheme is not None:
        _components(node, structure, scheme)


def _constraint(parent: etree._Element, region: CubeRegion) -> None:
    dataflow = region.dataflow
    urn = f"urn:sdmx:org.sdmx.infomodel.registry.ContentConstraint={dataflow.agency}:CC_{dataflow.id}(1.0)"
    node = _sub(
        parent,
        "structure",
        "ContentConstraint",
        id=f"CC_{dataflow.id}",
        urn=urn,
        agencyID=dataflow.agency,
        version="1.0",
        type="Actual",
    )
    _annotations(node, [("sdmx_metrics", str(region.observations), None)])
    node[-1][0].set("id", "obs_count")
    _texts(
        node,
        "Name",
        LocalizedText({"es": f"Datos disponibles de {dataflow.id}", "en": f"Data available in {dataflow.id}"}),
    )
    attachment = _sub(_sub(node, "structure", "ConstraintAttachment"), "structure", "Dataflow")
    _ref(
        attachment,
        id=dataflow.id,
        version=dataflow.version,
        agencyID=dataflow.agency,
        package="datastructure",
        **{"class": "Dataflow"},
    )
    cube = _sub(node, "structure", "CubeRegion", include="true")
    for component_id, codes in region.codes.items():
        if codes:
            key = _sub(cube, "common", "KeyValue", id=component_id)
            for code in codes:
                _sub(key, "common", "Value").text = code
    if region.start and region.end:
        time_range = _sub(_sub(cube, "common", "KeyValue", id=dataflow.structure.time_dimension), "common", "TimeRange")
        _sub(time_range, "common", "StartPeriod", isInclusive="true").text = region.start
        _sub(time_range, "common", "EndPeriod", isInclusive="true").text = region.end


def header_element(root: etree._Element, header: Header) -> None:
    node = _sub(root, "message", "Header")
    _sub(node, "message", "ID").text = header.id
    _sub(node, "message", "Test").text = "false"
    _sub(node, "message", "Prepared").text = header.prepared_text
    _sub(node, "message", "Sender", id=header.sender)


ArtefactWriter = Callable[[etree._Element, Any, StructureMessage], None]

# One writer per kind of artefact, in the order SDMX-ML 2.1 lists them in a structure message.
SECTIONS: tuple[tuple[str, str, ArtefactWriter], ...] = (
    ("OrganisationSchemes", "provider_schemes", lambda c, a, m: _providers(c, a, m.detail_of(a))),
    ("Dataflows", "dataflows", lambda c, a, m: _dataflow(c, a, m.detail_of(a), m.not_displayed.get(a.id))),
    ("Codelists", "codelists", lambda c, a, m: _codelist(c, a, m.detail_of(a), m.items_of(a))),
    ("HierarchicalCodelists", "hierarchies", lambda c, a, m: _hierarchical_codelist(c, a, m.detail_of(a))),
    ("Concepts", "concept_schemes", lambda c, a, m: _concepts(c, a, m.detail_of(a), m.items_of(a))),
    ("DataStructures", "structures", lambda c, a, m: _structure(c, a, m.detail_of(a), m.concepts)),
    ("Constraints", "constraints", lambda c, a, m: _constraint(c, a)),
)


def structure_document(message: StructureMessage) -> etree._Element:
    root = etree.Element(_q("message", "Structure"), nsmap=NSMAP)
    header_element(root, message.header)
    structures = _sub(root, "message", "Structures")
    for section, field_name, write in SECTIONS:
        artefacts = getattr(message, field_name)
        if artefacts:
            container = _sub(structures, "structure", section)
            for artefact in artefacts:
                write(container, artefact, message)
    return root


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@writer("structure")
def structure_xml(message: StructureMessage) -> Iterator[bytes]:
    yield serialise(structure_document(message))
