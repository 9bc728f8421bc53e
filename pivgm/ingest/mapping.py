"""Mappings: which file column is which component, how national labels become codes, and fixed values.

A provider confirms a mapping once per dataflow; later uploads reuse it (stored as JSON in the records).
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pivgm.ingest.labels import match_periods, matcher_for
from pivgm.model import Dataflow
from pivgm.warehouse.checks import ROW
from pivgm.warehouse.encoding import constant, encode, transform, zeros


@dataclass(frozen=True)
class Mapping:
    """``columns``: component id -> file column; ``values``: component id -> {label: code};
    ``constants``: component id -> code for components the file does not carry (e.g. REF_AREA)."""

    columns: MappingType[str, str] = field(default_factory=dict)
    values: MappingType[str, MappingType[str, str]] = field(default_factory=dict)
    constants: MappingType[str, str] = field(default_factory=dict)
    decimal: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "values": {k: dict(v) for k, v in self.values.items()},
            "constants": dict(self.constants),
            "decimal": self.decimal,
        }

    @classmethod
    def from_dict(cls, data: MappingType[str, Any]) -> Mapping:
        return cls(
            columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
            values={str(k): {str(a): str(b) for a, b in v.items()} for k, v in (data.get("values") or {}).items()},
            constants={str(k): str(v) for k, v in (data.get("constants") or {}).items()},
            decimal=data.get("decimal"),
        )

    def for_columns(self, columns: Sequence[str]) -> Mapping:
        """This mapping without the column assignments a file with ``columns`` cannot satisfy (a saved
        mapping applied to a file in another layout keeps only what still fits)."""
        present = set(columns)
        return Mapping(
            columns={k: v for k, v in self.columns.items() if v in present},
            values=self.values,
            constants=self.constants,
            decimal=self.decimal,
        )

    def merged_with(self, other: Mapping) -> Mapping:
        """This mapping with ``other``'s entries added (``other`` wins where both say something)."""
        values = {k: dict(v) for k, v in self.values.items()}
        for component, labels in other.values.items():
            values.setdefault(component, {}).update(labels)
        return Mapping(
            columns={**self.columns, **other.columns},
            values=values,
            constants={**self.constants, **other.constants},
            decimal=other.decimal or self.decimal,
        )


def with_label_matching(mapping: Mapping, table: pa.Table, dataflow: Dataflow) -> Mapping:
    """``mapping`` with automatic label matching underneath its value maps: for each mapped column of a
    coded component (and the period), the labels the user did not map are matched to codes (country names
    in Spanish and English, "Hombres", "Ene-2024"...). The user's entries always win; a complete mapping
    therefore still reads "Mexico" as MEX."""
    structure = dataflow.structure
    values = {component: dict(labels) for component, labels in mapping.values.items()}
    for component, column in mapping.columns.items():
        if column not in table.column_names or component == structure.measure.id:
            continue
        part = structure.dimension(component) or structure.attribute(component)
        if component != structure.time_dimension and (part is None or part.codelist is None):
            continue
        given = values.get(component, {})
        labels = [
            label.strip()
            for label in pc.unique(encode(table.column(column)).dictionary).to_pylist()
            if label and label.strip() and label.strip() not in given
        ]
        if component == structure.time_dimension:
            found = {label: period for label, period in match_periods(labels).items() if period != label}
        else:
            assert part is not None and part.codelist is not None
            matcher = matcher_for(part.codelist)
            found = {label: code for label in labels if (code := matcher.match(label)) not in (None, label)}
        if found:
            values[component] = {**found, **given}
    return Mapping(mapping.columns, values, mapping.constants, mapping.decimal)


@dataclass(frozen=True)
class MappedTable:
    """The file's rows with one text column per mapped component (dictionary-encoded), plus ``_row``."""

    table: pa.Table
    column_labels: dict[str, str]


def _translate(values: pa.Array, labels: MappingType[str, str]) -> pa.Array:
    """Trimmed labels replaced by their codes; values with no entry pass unchanged (they may be codes)."""
    trimmed = pc.utf8_trim_whitespace(values)
    if not labels:
        return trimmed
    keys = pa.array([k.strip() for k in labels], pa.string())
    positions = pc.index_in(trimmed, value_set=keys)
    mapped = pc.take(pa.array(list(labels.values()), pa.string()), positions)
    return pc.if_else(pc.is_null(positions), trimmed, mapped)


def apply_mapping(table: pa.Table, source_rows: Sequence[int], mapping: Mapping, dataflow: Dataflow) -> MappedTable:
    """Select and rename the mapped columns, translate labels to codes, add constants and ``_row``.

    Components the mapping does not cover are simply absent: the ``missing-column`` rule reports them.
    """
    structure = dataflow.structure
    components = [
        *structure.dimension_ids,
        structure.time_dimension,
        structure.measure.id,
        *structure.attribute_ids,
    ]
    arrays: dict[str, pa.Array] = {}
    labels: dict[str, str] = {}
    shared = zeros(table.num_rows)  # the indices of every constant column, held once
    for component in components:
        column = mapping.columns.get(component)
        if column is not None and column in table.column_names:
            values = encode(table.column(column))  # labels translated once each, not once per row
            if component == structure.measure.id:
                arrays[component] = transform(values, pc.utf8_trim_whitespace)
            else:
                arrays[component] = transform(values, partial(_translate, labels=mapping.values.get(component, {})))
            labels[component] = column
        elif component in mapping.constants:
            arrays[component] = constant(mapping.constants[component], table.num_rows, shared)
    arrays[ROW] = _row_numbers(source_rows)
    return MappedTable(pa.table(arrays), labels)


def _row_numbers(source_rows: Sequence[int]) -> pa.Array:
    """The file's row numbers, in 32 bits (a file has fewer than 2**31 rows; half the memory of 64)."""
    if isinstance(source_rows, range) and source_rows.step == 1:
        return pa.array(np.arange(source_rows.start, source_rows.stop, dtype=np.int32))
    return pa.array(list(source_rows), pa.int32())
