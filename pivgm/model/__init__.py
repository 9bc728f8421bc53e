"""The information model: plain typed data following SDMX, with no I/O."""

from pivgm.model.hierarchy import HierarchicalCode, Hierarchy, HierarchyAssociation
from pivgm.model.periods import Frequency, Period, parse_period
from pivgm.model.structure import (
    Attribute,
    AttributeAttachment,
    Code,
    Codelist,
    Concept,
    ConceptScheme,
    Dataflow,
    DataProvider,
    DataStructure,
    Dimension,
    LocalizedText,
    Measure,
    ReferenceMetadata,
    SeriesKey,
)

__all__ = [
    "Attribute",
    "AttributeAttachment",
    "Code",
    "Codelist",
    "Concept",
    "ConceptScheme",
    "DataProvider",
    "DataStructure",
    "Dataflow",
    "Dimension",
    "Frequency",
    "HierarchicalCode",
    "Hierarchy",
    "HierarchyAssociation",
    "LocalizedText",
    "Measure",
    "Period",
    "ReferenceMetadata",
    "SeriesKey",
    "parse_period",
]
