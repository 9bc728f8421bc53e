"""SDMX-JSON data messages 1.0 and 2.0, streamed: data sets first, then the structure, whose value lists
are only known once every observation has been seen (JSON members are unordered)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, groupby
from operator import itemgetter
from typing import Any

import pyarrow as pa

from pivgm.model import Codelist, LocalizedText
from pivgm.sdmx.errors import QuerySyntaxError
from pivgm.sdmx.keys import ID_PATTERN, period_bounds
from pivgm.sdmx.languages import content_languages, localize
from pivgm.sdmx.messages import DataMessage
from pivgm.sdmx.writers.registry import writer
from pivgm.sdmx.writers.text import ACTION, action_runs
from pivgm.sdmx.writers.xml_data import Layout

NAME_LANGUAGE = "en"


def _names(text: LocalizedText) -> dict[str, Any]:
    return {"name": text.get(NAME_LANGUAGE), "names": text.to_dict()}


def _bounds(period: str) -> dict[str, str]:
    """A time period's ``start`` and ``end`` instants (its first and last second, UTC), as .Stat and ECB
    serve them; none for a period this service cannot read."""
    try:
        first, last = period_bounds(period, "TIME_PERIOD")
    except QuerySyntaxError:
        return {}
    return {"start": f"{first.isoformat()}T00:00:00Z", "end": f"{last.isoformat()}T23:59:59Z"}


@dataclass
class Component:
    """A dimension or attribute of the message and the values met so far, indexed in order of appearance."""

    id: str
    name: LocalizedText
    codelist: Codelist | None
    values: dict[str, int] = field(default_factory=dict)
    is_time: bool = False

    def index(self, value: str | None) -> int | None:
        if value is None:
            return None
        position = self.values.get(value)
        if position is None:
            position = self.values[value] = len(self.values)
        return position

    def value_entries(self, version: int, coded_dimension: bool) -> list[dict[str, Any]]:
        entries = []
        for value in self.values:
            code = self.codelist.get(value) if self.codelist is not None else None
            if code is not None:
                entries.append({"id": value, **_names(code.name)})
            elif self.is_time:
                entries.append({"id": value, "name": value, **_bounds(value)})
            elif coded_dimension and ID_PATTERN.match(value):
                entries.append({"id": value, "name": value})
            else:
                entries.append({"value": value} if version == 2 else {"name": value})
        return entries


def _components(message: DataMessage, ids: tuple[str, ...]) -> list[Component]:
    structure = message.structure
    found = []
    for component_id in ids:
        dimension = structure.dimension(component_id)
        attribute = structure.published_attribute(component_id)
        if dimension is not None:
            found.append(Component(component_id, dimension.name, dimension.codelist))
        elif attribute is not None:
            found.append(Component(component_id, attribute.name, attribute.codelist))
        else:
            time_name = LocalizedText({"es": "Periodo", "en": "Time period"})
            found.append(Component(component_id, time_name, None, is_time=True))
    return found


def _number(value: float | None) -> float | int | None:
    if value is None or math.isnan(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


@dataclass
class _State:
    """Components by level, and the series being written."""

    series: list[Component]
    observation: list[Component]
    series_attributes: list[Component]
    observation_attributes: list[Component]
    dataset_attributes: list[Component]


def _series_entry(attributes: list[int | None], observations: dict[str, list[Any]], with_obs: bool) -> str:
    entry: dict[str, Any] = {"attributes": attributes}
    if with_obs:
        entry["observations"] = observations
    return json.dumps(entry, separators=(",", ":"))


def _observations(batches: Iterable[pa.RecordBatch], layout: Layout, state: _State) -> Iterator[str]:
    """The members of ``series`` (or of ``observations`` when no dimension keys a series), as text."""
    first = True
    current: str | None = None
    current_attributes: list[int | None] = []
    observations: dict[str, list[Any]] = {}
    for batch in batches:
        columns = {name: batch.column(name).to_pylist() for name in batch.schema.names}
        for row in range(batch.num_rows):
            for component in state.dataset_attributes:
                if not component.values:
                    component.index(columns[component.id][row])
            series_key = ":".join(str(c.index(columns[c.id][row])) for c in state.series)
            observation_key = ":".join(str(c.index(columns[c.id][row])) for c in state.observation)
            value = [_number(columns[layout.measure][row])] if layout.measure else []
            value += [c.index(columns[c.id][row]) for c in state.observation_attributes]
            if not layout.series:
                yield ("" if first else ",") + json.dumps(observation_key) + ":" + json.dumps(value)
                first = False
                continue
            if series_key != current:
                if current is not None:
                    yield (
                        ("" if first else ",")
                        + json.dumps(current)
                        + ":"
                        + _series_entry(current_attributes, observations, layout.has_observations)
                    )
                    first = False
                current, observations = series_key, {}
                current_attributes = [c.index(columns[c.id][row]) for c in state.series_attributes]
            if layout.has_observations:
                observations[observation_key] = value
    if current is not None:
        yield (
            ("" if first else ",")
            + json.dumps(current)
            + ":"
            + _series_entry(current_attributes, observations, layout.has_observations)
        )


def _dimension(component: Component, position: int, version: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": component.id, **_names(component.name), "keyPosition": position}
    if component.id == "TIME_PERIOD":
        entry["roles"] = ["time"]
    entry["values"] = component.value_entries(version, coded_dimension=True)
    return entry


def _relationship(level: str, message: DataMessage, version: int) -> dict[str, Any]:
    if level == "dataSet":
        return {"none": {}} if version == 1 else {"dataflow": {}}
    if level == "series":
        return {"dimensions": list(message.series_dimensions)}
    return {"primaryMeasure": message.structure.measure.id} if version == 1 else {"observation": {}}


def _attribute(component: Component, relationship: dict[str, Any], version: int) -> dict[str, Any]:
    entry = {"id": component.id, **_names(component.name), "relationship": relationship}
    values = component.value_entries(version, coded_dimension=False)
    if values or version == 1:  # SDMX-JSON 2.0 wants no value list rather than an empty one
        entry["values"] = values
    return entry


def _structure(message: DataMessage, state: _State, version: int) -> dict[str, Any]:
    positions = {d: i for i, d in enumerate((*message.structure.dimension_ids, message.structure.time_dimension))}
    dataflow = message.dataflow
    attributes = {
        level: [_attribute(c, _relationship(level, message, version), version) for c in components]
        for level, components in (
            ("dataSet", state.dataset_attributes),
            ("series", state.series_attributes),
            ("observation", state.observation_attributes),
        )
    }
    structure: dict[str, Any] = {
        "links": [{"rel": "dataflow", "urn": dataflow.urn}, {"rel": "datastructure", "urn": dataflow.structure.urn}],
        **_names(dataflow.name),
        "dimensions": {
            "dataSet": [],
            "series": [_dimension(c, positions[c.id], version) for c in state.series],
            "observation": [_dimension(c, positions[c.id], version) for c in state.observation],
        },
        "attributes": attributes,
    }
    if version == 2:
        structure["dataSets"] = [0]
        measure = message.structure.measure
        structure["measures"] = {"observation": [{"id": measure.id, **_names(measure.name)}]}
    return structure


def _meta(message: DataMessage, version: int) -> dict[str, Any]:
    schema = (
        "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/schemas/1.0/"
        "sdmx-json-data-schema.json"
        if version == 1
        else "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/schemas/2.0.0/"
        "sdmx-json-data-schema.json"
    )
    return {
        "schema": schema,
        "id": message.header.id,
        "test": False,
        "prepared": message.header.prepared_text,
        "contentLanguages": content_languages(message.header.language),
        "sender": {"id": message.header.sender},
    }


def _body(message: DataMessage, version: int) -> Iterator[bytes]:
    layout = Layout.of(message, list(_columns(message)))
    state = _State(
        series=_components(message, layout.series),
        observation=_components(message, layout.observation) if layout.has_observations else [],
        series_attributes=_components(message, layout.series_attributes),
        observation_attributes=_components(message, layout.observation_attributes),
        dataset_attributes=_components(message, layout.dataset_attributes),
    )
    container = "series" if layout.series else "observations"
    yield f'{{"meta": {json.dumps(_meta(message, version))}, "data": {{"dataSets": ['.encode()
    for position, (action, runs) in enumerate(groupby(action_runs(message.batches), key=itemgetter(0))):
        dataset: dict[str, Any] = {
            "action": action or "Information",
            "links": [{"rel": "dataflow", "urn": message.dataflow.urn}],
        }
        if version == 2:
            dataset["structure"] = 0
        opening = ("" if position == 0 else ", ") + json.dumps(dataset)[:-1] + f', "{container}": {{'
        yield opening.encode()
        buffer: list[str] = []
        for text in _observations((batch for _, batch in runs), layout, state):
            buffer.append(text)
            if len(buffer) >= 2048:
                yield "".join(buffer).encode()
                buffer = []
        attributes = [0 if c.values else None for c in state.dataset_attributes]
        yield ("".join(buffer) + f'}}, "attributes": {json.dumps(attributes)}}}').encode()
    key = "structure" if version == 1 else "structures"
    structure = localize(_structure(message, state, version), message.header.language)
    yield f'], "{key}": {json.dumps(structure if version == 1 else [structure])}}}}}\n'.encode()


def _columns(message: DataMessage) -> list[str]:
    """The columns of the message's batches (peeked without consuming them), without a change stream's
    ``ACTION``."""
    batches = iter(message.batches)
    first = next(batches, None)
    if first is None:
        return []
    message.batches = chain([first], batches)
    return [name for name in first.schema.names if name != ACTION]


@writer("jsondata-1.0")
def sdmx_json_1(message: DataMessage) -> Iterator[bytes]:
    return _body(message, 1)


@writer("jsondata-2.0")
def sdmx_json_2(message: DataMessage) -> Iterator[bytes]:
    return _body(message, 2)
