"""Reshape a read table into one row per observation.

National tables are often wide: one column per month, or per sex under each period ("Octubre 2024 /
Hombres"). ``melt`` turns the chosen value columns into rows, with one column per header level, the figure,
and the name of the column it came from (so a report can still say "row 13, column 'Octubre 2024 /
Hombres'"). ``combine`` joins two columns into one, such as a year column and a month column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers.base import RawTable
from pivgm.ingest.readers.header import LEVEL_SEPARATOR
from pivgm.ingest.report import Note

VALUE_COLUMN = "_value"
SOURCE_COLUMN = "_source_column"
HEADER_COLUMN = "_header_{}"


def header_levels(name: str) -> list[str]:
    return name.split(LEVEL_SEPARATOR)


def melt(raw: RawTable, value_columns: Sequence[str]) -> RawTable:
    """One row per (row, value column): the other columns, ``_header_1``... (the value column's header
    levels, outermost first), ``_value`` and ``_source_column``; rows stay in file order."""
    if not value_columns:
        raise SourceFormatError("cannot unpivot: no value columns were chosen.", file=raw.file_name)
    missing = [name for name in value_columns if name not in raw.table.column_names]
    if missing:
        raise SourceFormatError(f"cannot unpivot: column {missing[0]!r} is not in the table.", file=raw.file_name)
    keep = [name for name in raw.table.column_names if name not in value_columns]
    depth = max(len(header_levels(name)) for name in value_columns)
    pieces = []
    for position, name in enumerate(value_columns):
        levels = header_levels(name)
        levels = [""] * (depth - len(levels)) + levels
        count = raw.table.num_rows
        columns = {column: raw.table.column(column) for column in keep}
        columns |= {
            HEADER_COLUMN.format(i + 1): pa.array([level] * count, pa.string()) for i, level in enumerate(levels)
        }
        columns |= {
            VALUE_COLUMN: raw.table.column(name),
            SOURCE_COLUMN: pa.array([name] * count, pa.string()),
            "__row": pa.array(range(count), pa.int64()),
            "__position": pa.array([position] * count, pa.int64()),
        }
        pieces.append(pa.table(columns))
    long = pa.concat_tables(pieces)
    order = pc.sort_indices(long, sort_keys=[("__row", "ascending"), ("__position", "ascending")])
    long = long.take(order)
    row_index = long.column("__row").combine_chunks()
    rows = [raw.source_rows[i] for i in row_index.to_pylist()]
    actions = raw.actions.take(row_index) if raw.actions is not None else None
    long = long.drop_columns(["__row", "__position"])
    return replace(
        raw,
        table=long,
        source_rows=rows,
        actions=actions,
        notes=[
            *raw.notes,
            Note(
                f"{len(value_columns)} value columns turned into rows.",
                f"{len(value_columns)} columnas de valores convertidas en filas.",
            ),
        ],
    )


def combine(raw: RawTable, columns: Sequence[str], name: str, separator: str = " ") -> RawTable:
    """A new column ``name`` joining ``columns`` with ``separator`` (e.g. month and year: "Enero 2024")."""
    parts = [raw.table.column(column).combine_chunks() for column in columns]
    joined = pc.binary_join_element_wise(*parts, separator)
    return replace(raw, table=raw.table.append_column(name, joined))
