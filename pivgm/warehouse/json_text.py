"""Observations written as JSON text by DuckDB, outside the interpreter's lock.

Encoding a large answer in Python (Arrow -> Python objects -> JSON) holds the interpreter's lock for tens of
milliseconds at a stretch, and every other request of the worker waits for it. DuckDB writes the same text
while the lock is released. Its text is the text msgspec writes for the same values, except in corners that
are marked here instead of written: a float of 16 to 21 integer digits, under 0.0001, NaN or infinite (written
by msgspec with an exponent or as null), and a control character whose escape has hex letters (DuckDB writes
``\\u001F``, msgspec ``\\u001f``). The caller encodes those rows itself.
"""

from __future__ import annotations

import itertools

import duckdb
import pyarrow as pa

_names = itertools.count()

PLAIN_TYPES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer, pa.types.is_boolean)
SAFE_FLOAT = "({c} IS NULL OR {c} = 0 OR (abs({c}) >= 1e-4 AND abs({c}) < 1e16))"  # NaN compares above all
ROW_NUMBER = "pivgm_row_number"
HEX_LETTER_ESCAPE = r"\\u00(0[BEF]|1[A-F])"  # in the written text: a string held such a control character


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def numbered(table: pa.Table) -> pa.Table:
    """``table`` with its row numbers in a last column, ``ROW_NUMBER``, for queries to order by: DuckDB keeps
    the rows of a plain projection in order only by its ``preserve_insertion_order`` promise, which a page
    query with filters and an offset over many row groups did not keep (``tests/warehouse/test_page_order``)."""
    import numpy as np

    return table.append_column(ROW_NUMBER, pa.array(np.arange(table.num_rows, dtype=np.int64)))


def writable(schema: pa.Schema) -> bool:
    """Whether every column is text, an integer, a boolean or a double (what release files hold)."""
    return all(any(check(f.type) for check in PLAIN_TYPES) or pa.types.is_float64(f.type) for f in schema)


def json_rows(connection: duckdb.DuckDBPyConnection, table: pa.Table) -> pa.ChunkedArray | None:
    """Each row of ``table`` as ``,`` and its JSON object (keys in column order), in row order; null for a
    row DuckDB would write otherwise than msgspec. None when a column's type is not one handled here."""
    if not table.num_columns or not writable(table.schema):
        return None
    name = f"pivgm_json_rows_{next(_names)}"
    fields = ", ".join(f"{literal(c)}: {quote(c)}" for c in table.column_names)
    floats = [SAFE_FLOAT.format(c=quote(f.name)) for f in table.schema if pa.types.is_float64(f.type)]
    text = f"to_json({{{fields}}})"
    escapes = f"(NOT contains(pivgm_json_text, '\\u00') OR NOT regexp_matches(pivgm_json_text, '{HEX_LETTER_ESCAPE}'))"
    safe = " AND ".join([*floats, escapes])  # the plain test first: most rows hold no escape at all
    cursor = connection.cursor()
    try:
        cursor.register(name, numbered(table))
        sql = (
            f"SELECT CASE WHEN {safe} THEN ',' || pivgm_json_text END AS pivgm_json_text "
            f"FROM (SELECT *, CAST({text} AS VARCHAR) AS pivgm_json_text FROM {name}) ORDER BY {ROW_NUMBER}"
        )
        return cursor.sql(sql).to_arrow_table().column(0)
    finally:
        cursor.close()
