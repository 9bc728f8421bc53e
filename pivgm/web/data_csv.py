"""The ``/api/data`` CSV answer, in chunks of rows: a header line, then one line per observation.

The bytes are those of ``csv.writer`` (minimal quoting, ``\\n`` line ends) over the cells of
``pivgm.cells.safe_row`` (free text could be a formula), figures as Arrow writes them (a count ``1071``, not
``1071.0``). A streamed answer's lines are written by DuckDB with the interpreter's lock released
(``Catalog.csv_rows``); the rows it leaves to Python (see ``pivgm.warehouse.csv_text``) are written here.
Callers run the generator off the event loop.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.cells import safe_row
from pivgm.web.data_json import CHUNK_ROWS
from pivgm.web.written_rows import mixed


def csv_column(column: pa.ChunkedArray) -> list[Any]:
    """A column's CSV cells: figures as Arrow writes them (a count 1071, not 1071.0), the rest as it is."""
    if pa.types.is_floating(column.type):
        return pc.cast(column, pa.string()).to_pylist()
    return column.to_pylist()


def python_lines(table: pa.Table) -> bytes:
    """The rows of ``table`` as CSV lines, written by Python's ``csv`` module."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = [csv_column(table.column(c)) for c in table.column_names]
    writer.writerows(safe_row(row) for row in zip(*columns, strict=True))
    return buffer.getvalue().encode()


def data_csv(table: pa.Table, csv_rows: pa.ChunkedArray | None = None) -> Iterator[bytes]:
    """The header line, then the observations a chunk at a time; ``csv_rows``: each row's line as
    ``Catalog.csv_rows`` writes it (None: Python writes every row)."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(table.column_names)
    yield header.getvalue().encode()
    for start in range(0, table.num_rows, CHUNK_ROWS):
        rows = table.slice(start, CHUNK_ROWS)
        yield python_lines(rows) if csv_rows is None else mixed(rows, csv_rows.slice(start, CHUNK_ROWS), python_lines)
