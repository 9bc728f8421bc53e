"""A published version's key columns numbered as a submission numbers its own rows, computed by DuckDB as it
scans the version (on both cores, a row group at a time) rather than column by column in Python.

Each submitted column's distinct values become a DuckDB ENUM; a published value's position in it is its
``enum_code``, and a value outside it (another country, a period the submission lacks) casts to null. The
codes combine as ``encoding.combined_codes`` combines the submitted rows' codes, so that a published row and
a submitted row with the same values get the same code.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa

from pivgm.warehouse.encoding import is_constant
from pivgm.warehouse.memory import release_free_memory
from pivgm.warehouse.published import Columns, PublishedColumns

MAX_ENUM_VALUES = 100_000  # more distinct values in a key column: numbered by ``combined_codes_with``
BATCH_ROWS = 1_000_000


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def published_codes(
    arrays: Sequence[pa.DictionaryArray], columns: Sequence[str], published: Columns
) -> tuple[np.ndarray, np.ndarray] | None:
    """For each published row, the code of its values in ``columns`` (numbered by the submitted ``arrays``,
    one per column) and whether all its values occur in them (its code means nothing otherwise). None when
    this cannot be done here: the published rows are not a version file or an Arrow table, a key column is
    not text, a submitted column has no values or very many, the codes would not fit in 63 bits, or DuckDB
    cannot read the rows."""
    if not isinstance(published, PublishedColumns | pa.Table) or not all(_is_text(published, c) for c in columns):
        return None  # DuckDB writes other types as text its own way (2020.0 where Arrow writes 2020)
    size = 1
    for array in arrays:
        if not 0 < len(array.dictionary) <= MAX_ENUM_VALUES:
            return None
        size *= 1 if is_constant(array) else len(array.dictionary) + 1
    if size >= 2**62:
        return None
    try:
        return _scanned(arrays, columns, published)
    except duckdb.Error:  # e.g. text DuckDB finds is not UTF-8: numbered by ``combined_codes_with`` instead
        return None


def _is_text(published: PublishedColumns | pa.Table, column: str) -> bool:
    if isinstance(published, PublishedColumns):
        return column in published.text_columns
    kind = published.schema.field(column).type
    kind = kind.value_type if pa.types.is_dictionary(kind) else kind
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _scanned(
    arrays: Sequence[pa.DictionaryArray], columns: Sequence[str], published: PublishedColumns | pa.Table
) -> tuple[np.ndarray, np.ndarray]:
    connection = duckdb.connect(":memory:")
    try:
        code, known = "CAST(0 AS BIGINT)", []
        for number, (name, array) in enumerate(zip(columns, arrays, strict=True)):
            values = ", ".join(_literal(value) for value in array.dictionary.to_pylist())
            connection.execute(f"CREATE TYPE column_{number} AS ENUM ({values})")
            position = f"enum_code(TRY_CAST(CAST({_identifier(name)} AS VARCHAR) AS column_{number}))"
            known.append(f"{position} IS NOT NULL")
            if not is_constant(array):
                code = f"({code}) * {len(array.dictionary) + 1} + coalesce({position}, 0)"
        if isinstance(published, PublishedColumns):
            source, parameters = "read_parquet(?)", [str(published.path)]
        else:
            connection.register("published_rows", published)
            source, parameters = "published_rows", []
        query = f"SELECT {code} AS code, {' AND '.join(known) or 'true'} AS known FROM {source}"
        codes, found = np.empty(published.num_rows, np.int64), np.empty(published.num_rows, bool)
        low = 0
        reader = connection.sql(query, params=parameters).to_arrow_reader(BATCH_ROWS)
        for batch in reader:  # rows in the file's order (DuckDB keeps the order of a scan)
            high = low + batch.num_rows
            codes[low:high] = batch.column(0).to_numpy(zero_copy_only=False)
            found[low:high] = batch.column(1).to_numpy(zero_copy_only=False)
            low = high
        return codes, found
    finally:
        connection.close()
        release_free_memory()  # what the scan's threads left free, before the codes are used
