"""Writers of SDMX messages, one module per syntax, registered by format name (``registry.WRITERS``)."""

from pivgm.sdmx.writers import (
    csv,
    errors,
    json_data,
    json_structure,
    json_structure_2,
    xml_data,
    xml_schema,
    xml_structure,
    xml_structure_3,
)
from pivgm.sdmx.writers.registry import WRITERS, write

__all__ = [
    "WRITERS",
    "csv",
    "errors",
    "json_data",
    "json_structure",
    "json_structure_2",
    "write",
    "xml_data",
    "xml_schema",
    "xml_structure",
    "xml_structure_3",
]
