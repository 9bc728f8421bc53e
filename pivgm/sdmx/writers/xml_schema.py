"""The structure-specific XML schema of a dataflow (SDMX REST ``/schema``), derived from the SDMX 2.1
base types as the standard prescribes: one concrete data set, series and observation type, with each
coded component restricted to its codelist's codes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from lxml import etree

from pivgm.model import Attribute, AttributeAttachment, Codelist, Dataflow, Dimension
from pivgm.sdmx.messages import SchemaMessage
from pivgm.sdmx.query import ALL_DIMENSIONS, TIME_AT_OBSERVATION
from pivgm.sdmx.writers.registry import writer
from pivgm.sdmx.writers.xml_data import NAMESPACES

XS = "http://www.w3.org/2001/XMLSchema"
TIME_TYPE = "common:ObservationalTimePeriodType"


def namespace_of(urn: str, dimension_at_observation: str) -> str:
    return f"{urn}:ObsLevelDim:{dimension_at_observation}"


def _xs(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{XS}}}{tag}", attributes)


def _codelist_type(schema: etree._Element, codelist: Codelist) -> None:
    simple = _xs(schema, "simpleType", name=f"{codelist.id}Type")
    restriction = _xs(simple, "restriction", base="common:IDType")
    for code in codelist.codes:
        _xs(restriction, "enumeration", value=code.id)


def _restricted(schema: etree._Element, name: str, base: str) -> tuple[etree._Element, etree._Element]:
    complex_type = _xs(schema, "complexType", name=name)
    restriction = _xs(_xs(complex_type, "complexContent"), "restriction", base=f"dsd:{base}")
    sequence = _xs(restriction, "sequence")
    _xs(sequence, "element", ref="common:Annotations", minOccurs="0")
    return restriction, sequence


class _Components:
    """Which component goes where for one observation dimension (the data writers' placement)."""

    def __init__(self, dataflow: Dataflow, at: str) -> None:
        structure = dataflow.structure
        components: list[Dimension | Attribute] = [*structure.dimensions, *structure.published_attributes]
        self.types = {c.id: f"{c.codelist.id}Type" if c.codelist is not None else "xs:string" for c in components}
        self.types[structure.time_dimension] = TIME_TYPE
        self.types[structure.measure.id] = "xs:double"
        if "REPORTING_YEAR_START_DAY" in self.types:
            self.types["REPORTING_YEAR_START_DAY"] = "xs:gMonthDay"
        dimensions = [*structure.dimension_ids, structure.time_dimension]
        by_series = at == TIME_AT_OBSERVATION
        self.dataset = [a.id for a in structure.published_attributes if a.attachment is AttributeAttachment.DATAFLOW]
        series_attributes = [
            a.id for a in structure.published_attributes if a.attachment is AttributeAttachment.SERIES and by_series
        ]
        self.observation_keys = dimensions if at == ALL_DIMENSIONS else [at]
        self.series_keys = [] if at == ALL_DIMENSIONS else [d for d in dimensions if d != at]
        self.series = series_attributes
        self.observation = [
            a.id for a in structure.published_attributes if a.id not in self.dataset and a.id not in series_attributes
        ]
        self.measure = structure.measure.id
        self.time = structure.time_dimension


def _attribute(restriction: etree._Element, name: str, type_: str, use: str) -> None:
    _xs(restriction, "attribute", name=name, type=type_, use=use)


def schema_document(message: SchemaMessage) -> etree._Element:
    dataflow, at = message.dataflow, message.dimension_at_observation
    target = namespace_of(message.urn, at)
    nsmap = {"xs": XS, None: target, "common": NAMESPACES["common"], "dsd": NAMESPACES["ss"]}
    schema = etree.Element(
        f"{{{XS}}}schema",
        {"targetNamespace": target, "elementFormDefault": "unqualified", "attributeFormDefault": "unqualified"},
        nsmap=nsmap,
    )
    _xs(schema, "import", namespace=NAMESPACES["common"], schemaLocation="SDMXCommon.xsd")
    _xs(schema, "import", namespace=NAMESPACES["ss"], schemaLocation="SDMXDataStructureSpecific.xsd")
    for codelist in dataflow.structure.codelists():
        _codelist_type(schema, codelist)
    parts = _Components(dataflow, at)

    # By time series, the types derive from the standard's time series types, so that one schema serves both
    # structure-specific data and structure-specific time series data (whose data sets must be of a type
    # derived from TimeSeriesDataSetType).
    series_base = "TimeSeries" if at == TIME_AT_OBSERVATION else ""
    restriction, sequence = _restricted(schema, "DataSetType", f"{series_base}DataSetType")
    _xs(
        sequence,
        "element",
        name="DataProvider",
        type="common:DataProviderReferenceType",
        form="unqualified",
        minOccurs="0",
    )
    choice = _xs(sequence, "choice", minOccurs="0")
    grouped = at != ALL_DIMENSIONS
    _xs(
        choice,
        "element",
        name="Series" if grouped else "Obs",
        type="SeriesType" if grouped else "ObsType",
        form="unqualified",
        maxOccurs="unbounded",
    )
    _xs(restriction, "attributeGroup", ref="dsd:SetAttributeGroup")
    _prohibit_start_day(restriction, parts.dataset)
    for name in parts.dataset:
        _attribute(restriction, name, parts.types[name], "optional")

    if grouped:
        restriction, sequence = _restricted(schema, "SeriesType", "TimeSeriesType" if series_base else "SeriesType")
        _xs(sequence, "element", name="Obs", type="ObsType", form="unqualified", minOccurs="0", maxOccurs="unbounded")
        if parts.time not in parts.series_keys:
            _attribute(restriction, parts.time, TIME_TYPE, "prohibited")
        _prohibit_start_day(restriction, parts.series)
        for name in parts.series_keys:
            _attribute(restriction, name, parts.types[name], "required")
        for name in parts.series:
            _attribute(restriction, name, parts.types[name], "optional")

    restriction, _ = _restricted(schema, "ObsType", f"{series_base}ObsType")
    _attribute(restriction, "type", "common:IDType", "prohibited")
    if parts.time not in parts.observation_keys:
        _attribute(restriction, parts.time, TIME_TYPE, "prohibited")
    _prohibit_start_day(restriction, parts.observation)
    for name in parts.observation_keys:
        _attribute(restriction, name, parts.types[name], "required")
    _attribute(restriction, parts.measure, "xs:double", "optional")
    for name in parts.observation:
        _attribute(restriction, name, parts.types[name], "optional")
    return schema


def _prohibit_start_day(restriction: etree._Element, declared: Sequence[str]) -> None:
    """The base type's REPORTING_YEAR_START_DAY is prohibited where the structure does not declare it (a flow
    that receives fiscal-year reporting periods declares it, and the attribute is then written as it is)."""
    if "REPORTING_YEAR_START_DAY" not in declared:
        _attribute(restriction, "REPORTING_YEAR_START_DAY", "xs:gMonthDay", "prohibited")


@writer("schema")
def schema_xsd(message: SchemaMessage) -> Iterator[bytes]:
    yield etree.tostring(schema_document(message), xml_declaration=True, encoding="UTF-8", pretty_print=True)
