"""Answers assembled from rows DuckDB wrote as text (``Catalog.json_rows``, ``Catalog.csv_rows``): their
text read straight from Arrow's buffers, and the rows DuckDB left null written by the Python encoder."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def buffer_text(rows: pa.ChunkedArray) -> bytes:
    """The concatenated values of a text column, read from its buffers (no Python string per row)."""
    parts = []
    for array in rows.chunks:
        _, offsets, data = array.buffers()
        width = 8 if pa.types.is_large_string(array.type) else 4
        start, end = (
            int.from_bytes(offsets[width * i : width * (i + 1)], "little", signed=True)
            for i in (array.offset, array.offset + len(array))
        )
        parts.append(data[start:end].to_pybytes())
    return b"".join(parts)


def mixed(table: pa.Table, written: pa.ChunkedArray, encode: Callable[[pa.Table], bytes]) -> bytes:
    """``table``'s rows: DuckDB's text where it wrote one, ``encode``'s for the runs of rows it left null
    (all of them by ``encode`` when those are most)."""
    if written.null_count == 0:
        return buffer_text(written)
    if written.null_count * 2 > len(written):
        return encode(table)
    missing = pc.is_null(written).to_numpy(zero_copy_only=False)
    bounds = [0, *(np.flatnonzero(np.diff(missing)) + 1).tolist(), len(missing)]
    return b"".join(
        encode(table.slice(a, b - a)) if missing[a] else buffer_text(written.slice(a, b - a))
        for a, b in itertools.pairwise(bounds)
    )
