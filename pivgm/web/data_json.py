"""The ``/api/data`` JSON answer encoded straight from the Arrow table, in chunks of rows.

The bytes are those of ``data_public`` plus the page fields through a compact ``json.dumps`` (what the
framework would write), without building one dict per observation for the framework's encoder: columns
become Python lists once and msgspec writes each chunk. Callers run the generator off the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
import pyarrow as pa

from pivgm.catalog import DataView
from pivgm.web.schemas import release_public

CHUNK_ROWS = 4_096
"""Observations encoded at a time (an answer larger than one chunk is streamed)."""

_encoder = msgspec.json.Encoder()


def _rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    names = batch.schema.names
    columns = [column.to_pylist() for column in batch.columns]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def observation_chunks(table: pa.Table) -> Iterator[bytes]:
    """The observations as JSON objects separated by commas, a chunk of rows at a time (no brackets)."""
    first = True
    for batch in table.to_batches(max_chunksize=CHUNK_ROWS):
        if batch.num_rows == 0:
            continue
        encoded = _encoder.encode(_rows(batch))[1:-1]
        yield encoded if first else b"," + encoded
        first = False


def data_json(view: DataView, limit: int, links: Mapping[str, str | None]) -> Iterator[bytes]:
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
    yield from observation_chunks(view.table)
    yield b"]," + _encoder.encode({"limit": limit, **links})[1:]
