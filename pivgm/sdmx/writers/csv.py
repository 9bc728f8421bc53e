"""SDMX-CSV 1.0 (``DATAFLOW`` column) and 2.0 (``STRUCTURE``, ``STRUCTURE_ID``, ``ACTION``), streamed.

SDMX-CSV 2.0 lets a service add custom columns "e.g. ``UPDATED``" (its first example carries one): a 2.0
answer ends with ``UPDATED``, when each observation last got its current value (ISO 8601, UTC), for
releases that record it (``LAST_UPDATED``).

Each Arrow batch is written by Arrow's CSV writer in one call: no Python loop per observation.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pivgm.sdmx.messages import DataMessage
from pivgm.sdmx.writers.registry import writer
from pivgm.sdmx.writers.text import ACTION, number_text, repeated
from pivgm.warehouse.merge import LAST_UPDATED

UPDATED = "UPDATED"  # SDMX-CSV 2.0's custom column for the observation's last update

_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed", delimiter=",")


def structure_id(message: DataMessage) -> str:
    dataflow = message.dataflow
    return f"{dataflow.agency}:{dataflow.id}({dataflow.version})"


def _rows(message: DataMessage, prefix: dict[str, str], actions: bool) -> Iterator[bytes]:
    """The rows after ``prefix``'s constant columns. A change stream's ``ACTION`` column takes the prefix's
    place when the format has ``actions`` (SDMX-CSV 2.0); without them (1.0), deleted observations cannot be
    said and are left out."""
    header = True
    measure = message.structure.measure.id
    for batch in message.batches:
        if ACTION in batch.schema.names and not actions:
            batch = batch.filter(pc.not_equal(batch.column(ACTION), "D")).drop_columns([ACTION])
        n = batch.num_rows
        columns = {name: repeated(value, n) for name, value in prefix.items()}
        for name in batch.schema.names:
            column = batch.column(name)
            header_name = UPDATED if name == LAST_UPDATED else name
            columns[header_name] = number_text(column) if name == measure else column.cast(pa.string())
        table = pa.table(columns)
        sink = io.BytesIO()
        if header:
            sink.write((",".join(table.column_names) + "\n").encode())
            header = False
        pacsv.write_csv(table, sink, write_options=_OPTIONS)
        yield sink.getvalue()


@writer("csvdata-1.0")
def sdmx_csv_1(message: DataMessage) -> Iterator[bytes]:
    return _rows(message, {"DATAFLOW": structure_id(message)}, actions=False)


@writer("csvdata-2.0")
def sdmx_csv_2(message: DataMessage) -> Iterator[bytes]:
    """``ACTION`` is ``I`` for the data as they are; for ``updatedAfter``, ``I`` added, ``R`` revised and
    ``D`` deleted observations."""
    return _rows(message, {"STRUCTURE": "dataflow", "STRUCTURE_ID": structure_id(message), "ACTION": "I"}, True)
