"""The operands of a derived indicator, read from released Parquet files and lined up in one table (DuckDB).

Each operand is a selection of one release: rows whose dimensions hold the given codes, added up over the
dimensions it sums, its dimensions renamed to the indicator's, optionally summed over a window of periods or
shifted by some periods, or summed by calendar year (``annual``: the periods of a year become one
annual period; only years whose December the source has reached, so a part year never reads as a fall).
The first operand drives: the answer has one row per key and period of it, and the other operands' columns
where they have a value for that key and period (NULL otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from pivgm.warehouse.files import PERIOD_START, period_start_sql

# Months per period of each frequency: periods are numbered so that shifts and windows are integer offsets.
_STEP_SQL = "CASE FREQ WHEN 'A' THEN 12 WHEN 'S' THEN 6 WHEN 'Q' THEN 3 WHEN 'M' THEN 1 ELSE 12 END"


@dataclass(frozen=True)
class Operand:
    """One input of a formula over a release file (``None``: the dataflow has no release yet)."""

    name: str
    file: Path | None
    where: Mapping[str, Sequence[str]]  # column -> codes kept
    columns: Mapping[str, str]  # the indicator's dimension -> this file's column
    shift: int = 0
    window: int = 1
    summed: Sequence[str] = field(default=())
    annual: bool = False
    constants: Mapping[str, str] = field(default_factory=dict)  # the indicator's dimension -> a fixed code


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _selection(index: int, operand: Operand, dimensions: Sequence[str], schema: Sequence[str]) -> str:
    """The operand's rows, summed to the indicator's dimensions, numbered by period and windowed."""
    source = f"read_parquet({_literal(str(operand.file))})"
    start = _quote(PERIOD_START) if PERIOD_START in schema else period_start_sql(schema)
    conditions = [
        f"{_quote(column)} IN ({', '.join(_literal(c) for c in codes)})" for column, codes in operand.where.items()
    ] or ["TRUE"]
    constants = {**operand.constants, **({"FREQ": "A"} if operand.annual else {})}
    picked = ", ".join(
        f"{_literal(constants[d]) if d in constants else _quote(operand.columns[d])} AS {_quote(d)}" for d in dimensions
    )
    unit = "UNIT_MEASURE" if "UNIT_MEASURE" in schema else "NULL::VARCHAR"
    comment = "OBS_COMMENT" if "OBS_COMMENT" in schema else "NULL::VARCHAR"
    step = _STEP_SQL.replace("FREQ", _quote(operand.columns["FREQ"]))
    period, numbering = (
        (f"CAST(year({start}) AS VARCHAR)", f"year({start})")
        if operand.annual
        else ("TIME_PERIOD", f"(year({start}) * 12 + month({start}) - 1) // ({step})")
    )
    if operand.annual:  # whole years only: a year the source has not reached December of would look like a fall
        conditions.append(f"year({start}) <= (SELECT max(year({start})) FROM {source} WHERE month({start}) = 12)")
    grouped = (
        f"SELECT {picked}, {period} AS TIME_PERIOD, {numbering} AS idx, "
        f"sum(OBS_VALUE) AS v, count(*) - count(OBS_VALUE) AS withheld, "
        f"max(CASE WHEN OBS_STATUS <> 'A' THEN OBS_STATUS END) AS status, "
        f"string_agg(DISTINCT {comment}, '; ') AS comment, min({unit}) AS unit "
        f"FROM {source} WHERE {' AND '.join(conditions)} GROUP BY ALL"
    )
    if operand.window == 1:
        return f"s{index} AS (SELECT *, 1 AS periods FROM ({grouped}))"
    partition = ", ".join(_quote(d) for d in dimensions)
    frame = f"PARTITION BY {partition} ORDER BY idx RANGE BETWEEN {operand.window - 1} PRECEDING AND CURRENT ROW"
    return (
        f"s{index} AS (SELECT {', '.join(_quote(d) for d in dimensions)}, TIME_PERIOD, idx, "
        f"sum(v) OVER w AS v, sum(withheld) OVER w AS withheld, max(status) OVER w AS status, "
        f"comment, unit, count(*) OVER w AS periods FROM ({grouped}) WINDOW w AS ({frame}))"
    )


def _empty(dimensions: Sequence[str], operands: Sequence[Operand]) -> pa.Table:
    fields = [pa.field(d, pa.string()) for d in (*dimensions, "TIME_PERIOD", "UNIT")]
    for operand in operands:
        fields += _operand_fields(operand.name)
    return pa.schema(fields).empty_table()


def _operand_fields(name: str) -> list[pa.Field]:
    return [
        pa.field(f"{name}__found", pa.bool_()),
        pa.field(f"{name}__value", pa.float64()),
        pa.field(f"{name}__withheld", pa.int64()),
        pa.field(f"{name}__periods", pa.int64()),
        pa.field(f"{name}__status", pa.string()),
        pa.field(f"{name}__comment", pa.string()),
    ]


def line_up(operands: Sequence[Operand], dimensions: Sequence[str]) -> pa.Table:
    """One row per key and period of the first operand: the indicator's dimensions, ``TIME_PERIOD``, the
    first operand's ``UNIT``, and per operand ``<name>__found``, ``__value``, ``__withheld`` (values that are
    confidential), ``__periods`` (periods in its window), ``__status`` and ``__comment``."""
    if not operands or operands[0].file is None:
        return _empty(dimensions, operands)
    connection = duckdb.connect(":memory:")
    try:
        parts, joins, selected = [], [], []
        for index, operand in enumerate(operands):
            if operand.file is None:
                selected.append(
                    f"FALSE AS {_quote(operand.name + '__found')}, NULL::DOUBLE AS {_quote(operand.name + '__value')}, "
                    f"NULL::BIGINT AS {_quote(operand.name + '__withheld')}, NULL::BIGINT AS "
                    f"{_quote(operand.name + '__periods')}, NULL::VARCHAR AS {_quote(operand.name + '__status')}, "
                    f"NULL::VARCHAR AS {_quote(operand.name + '__comment')}"
                )
                continue
            schema = [
                row[0]
                for row in connection.execute(
                    f"DESCRIBE SELECT * FROM read_parquet({_literal(str(operand.file))})"
                ).fetchall()
            ]
            parts.append(_selection(index, operand, dimensions, schema))
            alias = f"s{index}"
            selected.append(
                f"{alias}.idx IS NOT NULL AS {_quote(operand.name + '__found')}, {alias}.v AS "
                f"{_quote(operand.name + '__value')}, {alias}.withheld AS {_quote(operand.name + '__withheld')}, "
                f"{alias}.periods AS {_quote(operand.name + '__periods')}, {alias}.status AS "
                f"{_quote(operand.name + '__status')}, {alias}.comment AS {_quote(operand.name + '__comment')}"
            )
            if index:
                on = " AND ".join(f"s0.{_quote(d)} = {alias}.{_quote(d)}" for d in dimensions)
                joins.append(f"LEFT JOIN {alias} ON {on} AND s0.idx = {alias}.idx + {operand.shift}")
        keys = ", ".join(f"s0.{_quote(d)}" for d in dimensions)
        sql = (
            f"WITH {', '.join(parts)} SELECT {keys}, s0.TIME_PERIOD, s0.unit AS UNIT, {', '.join(selected)} "
            f"FROM s0 {' '.join(joins)} ORDER BY {keys}, s0.idx"
        )
        return connection.sql(sql).to_arrow_table()
    finally:
        connection.close()
