"""SDMX-ML 2.1 data messages, generic and structure-specific, streamed batch by batch.

Each batch becomes text with vectorised Arrow string operations: the series start tags are built for every
row and kept only where the series key changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from xml.sax.saxutils import quoteattr

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.model import AttributeAttachment
from pivgm.sdmx.messages import DataMessage
from pivgm.sdmx.query import ALL_DIMENSIONS, TIME_AT_OBSERVATION, DataDetail
from pivgm.sdmx.writers.registry import writer
from pivgm.sdmx.writers.text import (
    action_runs,
    concat,
    joined,
    key_changes,
    last_key,
    number_text,
    optional,
    xml_escaped,
)

NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1"
NAMESPACES = {
    "message": f"{NS}/message",
    "common": f"{NS}/common",
    "generic": f"{NS}/data/generic",
    "ss": f"{NS}/data/structurespecific",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def structure_ref(message: DataMessage) -> str:
    """The message's local id of its structure: the DSD's id, which clients (rsdmx ``dsd=TRUE``) query as a
    datastructure; the dataflow itself is named by the header's ``StructureUsage``."""
    return message.dataflow.structure.id


def data_namespace(message: DataMessage) -> str:
    """The namespace of the dataflow's structure-specific schema for this observation dimension."""
    return f"{message.dataflow.urn}:ObsLevelDim:{message.dimension_at_observation}"


@dataclass(frozen=True)
class Layout:
    """Where each column of the batches goes: series key, observation key, and attribute levels."""

    series: tuple[str, ...]
    observation: tuple[str, ...]
    measure: str | None
    dataset_attributes: tuple[str, ...]
    series_attributes: tuple[str, ...]
    observation_attributes: tuple[str, ...]
    has_observations: bool

    @classmethod
    def of(cls, message: DataMessage, names: list[str]) -> Layout:
        structure = message.structure
        by_series = message.dimension_at_observation == TIME_AT_OBSERVATION
        levels: dict[str, list[str]] = {"dataset": [], "series": [], "observation": []}
        for attribute in structure.published_attributes:
            if attribute.id not in names:
                continue
            if attribute.attachment is AttributeAttachment.DATAFLOW:
                levels["dataset"].append(attribute.id)
            elif attribute.attachment is AttributeAttachment.SERIES and by_series:
                levels["series"].append(attribute.id)
            else:
                levels["observation"].append(attribute.id)
        has_observations = message.detail in {DataDetail.FULL, DataDetail.DATAONLY}
        if not has_observations:
            levels["series"] += levels.pop("observation")
            levels["observation"] = []
        return cls(
            series=message.series_dimensions,
            observation=message.observation_dimensions,
            measure=structure.measure.id if structure.measure.id in names else None,
            dataset_attributes=tuple(levels["dataset"]),
            series_attributes=tuple(levels["series"]),
            observation_attributes=tuple(levels["observation"]),
            has_observations=has_observations,
        )


def _values(batch: pa.RecordBatch, name: str, measure: str | None) -> pa.Array:
    column = batch.column(name)
    return number_text(column) if name == measure else xml_escaped(column)


class Dialect:
    """How one SDMX-ML data format writes series and observations."""

    root: str
    data_prefix: str

    def dataset_open(self, message: DataMessage, layout: Layout, first: pa.RecordBatch, action: str | None) -> str:
        raise NotImplementedError

    def series_open(self, batch: pa.RecordBatch, layout: Layout) -> pa.Array:
        raise NotImplementedError

    series_close: str = ""
    empty_series_close: str = ""

    def observations(self, batch: pa.RecordBatch, layout: Layout) -> pa.Array:
        raise NotImplementedError

    def header_structure(self, message: DataMessage) -> str:
        return ""


class StructureSpecific(Dialect):
    root = "StructureSpecificData"
    data_prefix = "ss"
    series_close = "</Series>"

    def header_structure(self, message: DataMessage) -> str:
        return f' namespace="{data_namespace(message)}"'

    def dataset_open(self, message: DataMessage, layout: Layout, first: pa.RecordBatch, action: str | None) -> str:
        attributes = f' ss:action="{action}"' if action else ""
        attributes += "".join(
            f" {name}={quoteattr(str(first.column(name)[0].as_py()))}"
            for name in layout.dataset_attributes
            if first.column(name)[0].is_valid
        )
        return (
            f'<message:DataSet ss:structureRef="{structure_ref(message)}" xsi:type="ns1:DataSetType" '
            f'ss:dataScope="DataStructure"{attributes}>'
        )

    def _attributes(self, batch: pa.RecordBatch, names: tuple[str, ...], measure: str | None) -> list[pa.Array]:
        return [optional(f' {name}="', _values(batch, name, measure), '"') for name in names]

    def series_open(self, batch: pa.RecordBatch, layout: Layout) -> pa.Array:
        parts: list[pa.Array | str] = ["<Series"]
        parts += self._attributes(batch, layout.series, None)
        parts += self._attributes(batch, layout.series_attributes, None)
        parts.append(">" if layout.has_observations else "/>")
        return concat(parts, batch.num_rows)

    def observations(self, batch: pa.RecordBatch, layout: Layout) -> pa.Array:
        names = (*layout.observation, *((layout.measure,) if layout.measure else ()))
        parts: list[pa.Array | str] = ["<Obs"]
        parts += self._attributes(batch, names, layout.measure)
        parts += self._attributes(batch, layout.observation_attributes, None)
        parts.append("/>")
        return concat(parts, batch.num_rows)


def _generic_values(batch: pa.RecordBatch, names: tuple[str, ...], measure: str | None) -> list[pa.Array]:
    return [optional(f'<generic:Value id="{name}" value="', _values(batch, name, measure), '"/>') for name in names]


def _generic_group(element: str, values: list[pa.Array], n: int, required: bool = False) -> pa.Array | str:
    """``<generic:element>values</generic:element>``, left out where there are no values (optional ones)."""
    if not values:
        return ""
    inner = concat(values, n)
    wrapped = concat([f"<generic:{element}>", inner, f"</generic:{element}>"], n)
    return wrapped if required else pc.if_else(pc.equal(inner, ""), "", wrapped)


class Generic(Dialect):
    root = "GenericData"
    data_prefix = "generic"
    series_close = "</generic:Series>"

    def dataset_open(self, message: DataMessage, layout: Layout, first: pa.RecordBatch, action: str | None) -> str:
        values = "".join(
            f'<generic:Value id="{name}" value={quoteattr(str(first.column(name)[0].as_py()))}/>'
            for name in layout.dataset_attributes
            if first.column(name)[0].is_valid
        )
        attributes = f"<generic:Attributes>{values}</generic:Attributes>" if values else ""
        acting = f' action="{action}"' if action else ""
        return f'<message:DataSet structureRef="{structure_ref(message)}"{acting}>{attributes}'

    def series_open(self, batch: pa.RecordBatch, layout: Layout) -> pa.Array:
        n = batch.num_rows
        key = _generic_group("SeriesKey", _generic_values(batch, layout.series, None), n, required=True)
        attributes = _generic_group("Attributes", _generic_values(batch, layout.series_attributes, None), n)
        end = "" if layout.has_observations else "</generic:Series>"
        return concat(["<generic:Series>", key, attributes, end], n)

    def observations(self, batch: pa.RecordBatch, layout: Layout) -> pa.Array:
        n = batch.num_rows
        if layout.series:
            (name,) = layout.observation
            key: pa.Array | str = optional('<generic:ObsDimension value="', _values(batch, name, None), '"/>')
        else:
            key = _generic_group("ObsKey", _generic_values(batch, layout.observation, None), n, required=True)
        value: pa.Array | str = ""
        if layout.measure:
            value = optional('<generic:ObsValue value="', _values(batch, layout.measure, layout.measure), '"/>')
        attributes = _generic_group("Attributes", _generic_values(batch, layout.observation_attributes, None), n)
        return concat(["<generic:Obs>", key, value, attributes, "</generic:Obs>"], n)


class GenericTimeSeries(Generic):
    root = "GenericTimeSeriesData"


class StructureSpecificTimeSeries(StructureSpecific):
    """The same content as structure-specific data by time series; its data set type derives from the
    standard's ``TimeSeriesDataSetType`` (see ``xml_schema``)."""

    root = "StructureSpecificTimeSeriesData"


def _header(message: DataMessage, dialect: Dialect) -> str:
    dataflow = message.dataflow
    extra = f' xmlns:ns1="{data_namespace(message)}"' if isinstance(dialect, StructureSpecific) else ""
    namespaces = " ".join(f'xmlns:{p}="{NAMESPACES[p]}"' for p in ("message", "common", dialect.data_prefix, "xsi"))
    header = message.header
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<message:{dialect.root} {namespaces}{extra}>"
        f"<message:Header><message:ID>{header.id}</message:ID><message:Test>false</message:Test>"
        f'<message:Prepared>{header.prepared_text}</message:Prepared><message:Sender id="{header.sender}"/>'
        f'<message:Structure structureID="{structure_ref(message)}"{dialect.header_structure(message)} '
        f'dimensionAtObservation="{message.dimension_at_observation}">'
        f'<common:StructureUsage><Ref agencyID="{dataflow.agency}" id="{dataflow.id}" '
        f'version="{dataflow.version}"/></common:StructureUsage></message:Structure></message:Header>\n'
    )


def _body(message: DataMessage, dialect: Dialect) -> Iterator[bytes]:
    """The message, one data set per action of a change stream (``Replace``, then ``Delete`` with the deleted
    observations' keys), or one data set without an action for the data as they are."""
    runs = action_runs(message.batches)
    first_run = next(runs, None)
    if first_run is None:
        return
    action, first = first_run
    layout = Layout.of(message, first.schema.names)
    yield (_header(message, dialect) + dialect.dataset_open(message, layout, first, action) + "\n").encode()
    previous: tuple[str, ...] | None = None
    grouped = bool(layout.series) and message.dimension_at_observation != ALL_DIMENSIONS
    closing = dialect.series_close if grouped and layout.has_observations else ""
    for run_action, batch in chain([first_run], runs):
        if run_action != action:
            action = run_action
            yield (
                (closing if previous is not None else "")
                + "</message:DataSet>"
                + dialect.dataset_open(message, layout, batch, action)
                + "\n"
            ).encode()
            previous = None
        n = batch.num_rows
        if not grouped:
            yield joined(dialect.observations(batch, layout)).encode()
            continue
        if not layout.has_observations:
            yield joined(dialect.series_open(batch, layout)).encode()
            continue
        starts = key_changes(batch, layout.series, previous)
        close = pc.if_else(starts, dialect.series_close, "")
        if previous is None:
            close = pa.concat_arrays([pa.array([""]), close.slice(1)])
        opening = pc.if_else(starts, concat([close, dialect.series_open(batch, layout)], n), "")
        yield joined(concat([opening, dialect.observations(batch, layout), "\n"], n)).encode()
        previous = last_key(batch, layout.series)
    yield f"{closing if previous is not None else ''}</message:DataSet></message:{dialect.root}>\n".encode()


@writer("genericdata")
def generic_data(message: DataMessage) -> Iterator[bytes]:
    return _body(message, Generic())


@writer("generictimeseriesdata")
def generic_time_series_data(message: DataMessage) -> Iterator[bytes]:
    return _body(message, GenericTimeSeries())


@writer("structurespecificdata")
def structure_specific_data(message: DataMessage) -> Iterator[bytes]:
    return _body(message, StructureSpecific())


@writer("structurespecifictimeseriesdata")
def structure_specific_time_series_data(message: DataMessage) -> Iterator[bytes]:
    return _body(message, StructureSpecificTimeSeries())
