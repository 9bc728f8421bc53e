"""SDMX-CSV 1.0 (``DATAFLOW`` column) and 2.0 (``STRUCTURE``, ``STRUCTURE_ID``, ``ACTION``), streamed.

Each Arrow batch is written by Arrow's CSV writer in one call: no Python loop per observation.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

from pivgm.sdmx.messages import DataMessage
from pivgm.sdmx.writers.registry import writer
from pivgm.sdmx.writers.text import number_text, repeated

_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed", delimiter=",")


def structure_id(message: DataMessage) -> str:
    dataflow = message.dataflow
    return f"{dataflow.agency}:{dataflow.id}({dataflow.version})"


def _rows(message: DataMessage, prefix: dict[str, str]) -> Iterator[bytes]:
    header = True
    measure = message.structure.measure.id
    for batch in message.batches:
        n = batch.num_rows
        columns = {name: repeated(value, n) for name, value in prefix.items()}
        for name in batch.schema.names:
            column = batch.column(name)
            columns[name] = number_text(column) if name == measure else column.cast(pa.string())
        table = pa.table(columns)
        sink = io.BytesIO()
        if header:
            sink.write((",".join(table.column_names) + "\n").encode())
            header = False
        pacsv.write_csv(table, sink, write_options=_OPTIONS)
        yield sink.getvalue()


@writer("csvdata-1.0")
def sdmx_csv_1(message: DataMessage) -> Iterator[bytes]:
    return _rows(message, {"DATAFLOW": structure_id(message)})


@writer("csvdata-2.0")
def sdmx_csv_2(message: DataMessage) -> Iterator[bytes]:
    return _rows(message, {"STRUCTURE": "dataflow", "STRUCTURE_ID": structure_id(message), "ACTION": "I"})
