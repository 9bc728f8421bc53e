"""Observations written as CSV lines by DuckDB, outside the interpreter's lock (as ``json_text`` for JSON).

The lines are those Python's ``csv.writer`` (minimal quoting, ``\\n`` line ends) writes for the cells of
``pivgm.cells.safe_row``, floats as Arrow casts them to text (``1071``, not ``1071.0``). DuckDB leaves null
the rows where that is not plainly its own text: text starting as a formula (``= + - @``, tab, carriage
return: the Python side decides whether it is a plain number or needs its apostrophe), a float that is not
an integer under 10^9 or a decimal between 0.0001 and 10^9 (Arrow writes exponents or a ``-0`` there), and
columns of types not handled (then the whole table is None).
"""

from __future__ import annotations

import itertools

import duckdb
import pyarrow as pa

from pivgm.warehouse.json_text import ROW_NUMBER, literal, numbered, quote

_names = itertools.count()

PLAIN_FLOAT = 1e9
"""Below this magnitude Arrow writes a float as DuckDB does (integers without ``.0``); measured on 1.5 M
random values of every magnitude, none differed (above 10^10 some do)."""
FORMULA_START = "^[=+@\t\r-]"
QUOTED = '[,"\n]'  # csv.writer's minimal quoting: the delimiter, the quote, the line end


def _text_cell(column: str) -> str:
    c = quote(column)
    return (
        f"CASE WHEN {c} IS NULL THEN '' WHEN regexp_matches({c}, {literal(FORMULA_START)}) THEN NULL "
        f"WHEN regexp_matches({c}, {literal(QUOTED)}) THEN '\"' || replace({c}, '\"', '\"\"') || '\"' ELSE {c} END"
    )


def _float_cell(column: str) -> str:
    c = quote(column)
    return (
        f"CASE WHEN {c} IS NULL THEN '' WHEN {c} = 0 THEN (CASE WHEN signbit({c}) THEN NULL ELSE '0' END) "
        f"WHEN abs({c}) >= {PLAIN_FLOAT} THEN NULL "  # NaN too: DuckDB orders it above every number
        f"WHEN {c} = trunc({c}) THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) "
        f"WHEN abs({c}) >= 1e-4 THEN CAST({c} AS VARCHAR) END"
    )


def _cell(field: pa.Field) -> str | None:
    if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        return _text_cell(field.name)
    if pa.types.is_float64(field.type):
        return _float_cell(field.name)
    if pa.types.is_null(field.type):
        return "''"
    if pa.types.is_integer(field.type):
        return f"coalesce(CAST({quote(field.name)} AS VARCHAR), '')"
    return None


def csv_rows(connection: duckdb.DuckDBPyConnection, table: pa.Table) -> pa.ChunkedArray | None:
    """Each row of ``table`` as its CSV line (ending in ``\\n``), in row order; null for a row DuckDB
    would write otherwise than the Python writer. None when a column's type is not one handled here."""
    cells = [_cell(field) for field in table.schema]
    if not cells or None in cells:
        return None
    name = f"pivgm_csv_rows_{next(_names)}"
    line = " || ',' || ".join(f"({cell})" for cell in cells if cell is not None)
    cursor = connection.cursor()
    try:
        cursor.register(name, numbered(table))
        sql = f"SELECT {line} || chr(10) AS pivgm_csv_line FROM {name} ORDER BY {ROW_NUMBER}"
        return cursor.sql(sql).to_arrow_table().column(0)
    finally:
        cursor.close()
