"""The ``/api/data`` JSON answer encoded straight from the Arrow table, in chunks of rows.

The bytes are those of ``data_public`` plus the page fields through a compact ``json.dumps`` (what the
framework would write), without building one dict per observation for the framework's encoder. The
observations' text is written by DuckDB with the interpreter's lock released (``Catalog.json_rows``), so a
large answer does not stall the worker's other requests; the rare rows DuckDB would write otherwise (see
``pivgm.warehouse.json_text``) are written by msgspec, from Python lists, a chunk at a time. Callers run the
generator off the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
import pyarrow as pa

from pivgm.catalog import DataView
from pivgm.web.schemas import release_public
from pivgm.web.written_rows import mixed

CHUNK_ROWS = 4_096
"""Observations encoded at a time (an answer larger than one chunk is streamed)."""

_encoder = msgspec.json.Encoder()


def _rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    names = batch.schema.names
    columns = [column.to_pylist() for column in batch.columns]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def python_encoded(table: pa.Table) -> bytes:
    """The rows of ``table`` as ``,`` and a JSON object each, written by msgspec."""
    return b"".join(b"," + _encoder.encode(_rows(batch))[1:-1] for batch in table.to_batches() if batch.num_rows)


def observation_chunks(table: pa.Table, json_rows: pa.ChunkedArray | None = None) -> Iterator[bytes]:
    """The observations as JSON objects separated by commas, a chunk of rows at a time (no brackets);
    ``json_rows``: each row's text as ``Catalog.json_rows`` writes it (None: msgspec writes every row)."""
    for start in range(0, table.num_rows, CHUNK_ROWS):
        rows = table.slice(start, CHUNK_ROWS)
        if json_rows is None:
            encoded = python_encoded(rows)
        else:
            encoded = mixed(rows, json_rows.slice(start, CHUNK_ROWS), python_encoded)
        yield encoded[1:] if start == 0 else encoded  # the first object has no comma before it


def data_json(
    view: DataView, limit: int, links: Mapping[str, str | None], json_rows: pa.ChunkedArray | None = None
) -> Iterator[bytes]:
    """The whole answer: dataflow, release, asOf, total, offset, count, columns, observations, limit and
    the page links, in that order."""
    head = {
        "dataflow": view.dataflow.id,
        "release": release_public(view.release),
        "asOf": view.selection.as_of.isoformat() if view.selection.as_of else None,
        "total": view.total,
        "offset": view.selection.offset,
        "count": view.table.num_rows,
        "columns": view.table.column_names,
    }
    yield _encoder.encode(head)[:-1] + b',"observations":['
    yield from observation_chunks(view.table, json_rows)
    yield b"]," + _encoder.encode({"limit": limit, **links})[1:]
