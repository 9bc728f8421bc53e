"""SDMX-ML 2.1 data messages, structure-specific and generic, streamed with lxml.

Each observation becomes a row: the series key and series attributes, the observation's dimension (time
or, in a cross-section, another), value and attributes, and the attributes of the groups it belongs to.
The row number is the line of the ``Obs`` element. The data set's ``action`` (Append, Replace, Delete,
Information) becomes ``actions``; the structure id comes from the header's structure reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
from lxml import etree

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers.base import RawTable, ReadOptions, too_many_rows

ACTIONS = {"Information": "I", "Append": "M", "Merge": "M", "Replace": "R", "Delete": "D"}
DATA_MESSAGES = {
    "GenericData",
    "GenericTimeSeriesData",
    "StructureSpecificData",
    "StructureSpecificTimeSeriesData",
}
_SKIP_ATTRIBUTES = {"type", "schemaLocation", "action", "structureRef", "dataScope", "validFromDate", "validToDate"}


def _local(tag: Any) -> str:
    """An element or attribute name without its namespace ("{urn:...}Obs" -> "Obs")."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def _plain(attributes: Any) -> dict[str, str]:
    """An element's XML attributes without namespaced technical ones (xsi:type...)."""
    return {_local(k): v for k, v in attributes.items() if _local(k) not in _SKIP_ATTRIBUTES}


def _values(element: Any) -> dict[str, str]:
    """``<Value id="FREQ" value="M"/>`` children (generic format) as a dict."""
    return {v.get("id", ""): v.get("value", "") for v in element if _local(v.tag) == "Value"}


class _Message:
    """What the streaming pass collects; ``on_<Element>`` methods handle each element's end tag."""

    def __init__(self, file_name: str, max_rows: int | None) -> None:
        self.file_name = file_name
        self.max_rows = max_rows
        self.rows: list[dict[str, str]] = []
        self.lines: list[int] = []
        self.actions: list[str] = []
        self.groups: list[dict[str, str]] = []
        self.series_keys: set[str] = set()
        self.structure: str | None = None
        self.observation_dimension = "TIME_PERIOD"
        self.series: dict[str, str] = {}
        self.action = "I"

    def start(self, name: str, element: Any) -> None:
        if name == "DataSet":
            declared = next((v for k, v in element.attrib.items() if _local(k) == "action"), "Information")
            self.action = ACTIONS.get(declared, "I")
        elif name == "Series":
            self.series = _plain(element.attrib)
            self.series_keys |= set(self.series)

    def on_Header(self, element: Any) -> None:
        for structure in element.iter("{*}Structure"):
            if structure.get("dimensionAtObservation"):
                self.observation_dimension = structure.get("dimensionAtObservation")
            for reference in structure.iter("{*}Ref"):
                self.structure = reference.get("id") or self.structure
            for urn in structure.iter("{*}URN"):  # ...DataStructure=ECB:ECB_EXR1(1.0)
                self.structure = self.structure or (urn.text or "").rsplit(":", 1)[-1].split("(")[0] or None

    def on_SeriesKey(self, element: Any) -> None:  # generic: the key comes after the Series start tag
        self.series = _values(element)
        self.series_keys |= set(self.series)

    def on_Attributes(self, element: Any) -> None:
        if _local(element.getparent().tag) == "Series":
            self.series = {**self.series, **_values(element)}

    def on_Group(self, element: Any) -> None:
        self.groups.append(_plain(element.attrib) or _generic_series(element))
        _release(element)

    def on_Obs(self, element: Any) -> None:
        own = _plain(element.attrib) if element.attrib else _generic_obs(element, self.observation_dimension)
        self.rows.append({**self.series, **own})
        self.lines.append(element.sourceline or 0)
        self.actions.append(self.action)
        if self.max_rows is not None and len(self.rows) > self.max_rows:
            raise too_many_rows(self.file_name, self.max_rows)
        _release(element)

    def on_Series(self, element: Any) -> None:
        self.series = {}
        _release(element)


def _generic_obs(element: Any, dimension: str) -> dict[str, str]:
    row: dict[str, str] = {}
    for child in element:
        name = _local(child.tag)
        if name == "ObsDimension":
            row[child.get("id") or dimension] = child.get("value", "")
        elif name == "ObsKey":
            row.update(_values(child))
        elif name == "ObsValue":
            row["OBS_VALUE"] = child.get("value", "")
        elif name == "Attributes":
            row.update(_values(child))
    return row


def _generic_series(element: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for child in element:
        if _local(child.tag) in ("SeriesKey", "GroupKey", "Attributes"):
            found.update(_values(child))
    return found


def _events(path: Path, file_name: str) -> Iterator[tuple[str, Any]]:
    try:
        yield from etree.iterparse(
            str(path), events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
        )
    except etree.XMLSyntaxError as error:
        raise SourceFormatError(
            f"the XML is not well formed ({error.msg}).",
            file=file_name,
            row=error.lineno,
            hint="Export the SDMX-ML message again; do not edit it by hand.",
        ) from None


def _stream(path: Path, file_name: str, max_rows: int | None) -> _Message:
    message = _Message(file_name, max_rows)
    for event, element in _events(path, file_name):
        name = _local(element.tag)
        if event == "start":
            message.start(name, element)
            continue
        handler = getattr(message, f"on_{name}", None)
        if handler is not None:
            handler(element)
    return message


def _release(element: Any) -> None:
    """Free a finished element and its finished predecessors, so memory stays flat on large messages."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _apply_groups(message: _Message) -> None:
    """Group attributes onto the rows whose dimensions match the group's key."""
    for group in message.groups:
        key = {k: v for k, v in group.items() if k in message.series_keys or k == message.observation_dimension}
        values = {k: v for k, v in group.items() if k not in key}
        for row in message.rows:
            if all(row.get(k) == v for k, v in key.items()):
                for k, v in values.items():
                    row.setdefault(k, v)


class SdmxMlReader:
    """SDMX-ML 2.1 data messages (any XML is sent here; a non-SDMX one is refused)."""

    format: ClassVar[str] = "sdmx-ml"

    @classmethod
    def handles(cls, path: Path, head: bytes) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return start.startswith(b"<?xml") or (start.startswith(b"<") and b"sdmx" in head.lower())

    @classmethod
    def read(cls, path: Path, options: ReadOptions, file_name: str) -> RawTable:
        root = _root_name(path, file_name)
        if root not in DATA_MESSAGES:
            raise SourceFormatError(
                f"the XML file is not an SDMX-ML 2.1 data message (its root element is {root!r}).",
                file=file_name,
                hint="Upload a GenericData or StructureSpecificData message.",
            )
        message = _stream(path, file_name, options.max_rows)
        _apply_groups(message)
        columns: dict[str, list[str]] = {}
        for row in message.rows:
            for name in row:
                columns.setdefault(name, [])
        table = pa.table({name: pa.array([row.get(name, "") for row in message.rows], pa.string()) for name in columns})
        return RawTable(
            table=table,
            source_rows=message.lines,
            file_name=file_name,
            format=cls.format,
            detected={"message": root, "decimal": ".", "observation_dimension": message.observation_dimension},
            notes=[],
            actions=pa.array(message.actions, pa.string()),
            structure=message.structure,
        )


def _root_name(path: Path, file_name: str) -> str:
    """The root element's name; a document type declaration (which could declare entities that expand
    without bound) is refused: SDMX messages never have one."""
    for _, element in _events(path, file_name):
        if element.getroottree().docinfo.doctype:
            raise SourceFormatError(
                "the XML file declares a document type, which SDMX-ML messages never do.",
                file=file_name,
                hint="Remove the <!DOCTYPE ...> declaration.",
            )
        return _local(element.tag)
    raise SourceFormatError("the XML file is empty.", file=file_name)  # pragma: no cover
