"""Computed attributes of published observations: ``DECIMALS``, the number of decimals each series is
published with, derived on read from its ``UNIT_MEASURE`` and the dataflow's metadata (``decimals``), so every
release carries it, those published before it existed included. Nothing computed is ever stored."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.model import Dataflow

DECIMALS = "DECIMALS"
UNIT = "UNIT_MEASURE"


def computed_ids(dataflow: Dataflow) -> frozenset[str]:
    return frozenset(a.id for a in dataflow.structure.published_attributes if a.computed)


def stored_columns(dataflow: Dataflow, columns: Sequence[str]) -> list[str]:
    """The stored columns to read for ``columns``: the computed ones left out, and what they are computed from
    (``UNIT_MEASURE``) added when it was not asked for."""
    computed = computed_ids(dataflow)
    stored = [c for c in columns if c not in computed]
    if DECIMALS in columns and UNIT not in stored:
        stored.append(UNIT)
    return stored


def decimals_column(dataflow: Dataflow, units: pa.Array) -> pa.Array:
    """Each row's decimals as a code of CL_DECIMALS (``"1"``); null where the unit is null (a deleted key)."""
    known = sorted(dataflow.decimals)
    places = pa.array([str(dataflow.decimals[u]) for u in known], pa.string())
    return pc.take(places, pc.index_in(units.cast(pa.string()), value_set=pa.array(known, pa.string())))


def with_computed(
    dataflow: Dataflow, columns: Sequence[str], batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """``batches`` of stored columns with ``DECIMALS`` in place when ``columns`` ask for it, in ``columns``'
    order, then any other column the batches hold (a change stream's ``ACTION``); ``UNIT_MEASURE`` read only to
    compute it is dropped."""
    if DECIMALS not in columns:
        yield from batches
        return
    for batch in batches:
        out = {c: decimals_column(dataflow, batch.column(UNIT)) if c == DECIMALS else batch.column(c) for c in columns}
        for name in batch.schema.names:
            if name not in out and (name != UNIT or UNIT in columns):
                out[name] = batch.column(name)
        yield pa.RecordBatch.from_pydict(out)


def table_with_decimals(table: pa.Table, dataflow: Dataflow) -> pa.Table:
    """A table of observations with its ``DECIMALS`` column (from its ``UNIT_MEASURE``), for downloads."""
    if UNIT not in table.column_names or DECIMALS in table.column_names:
        return table
    units = table.column(UNIT).combine_chunks()
    return table.append_column(DECIMALS, decimals_column(dataflow, units))
