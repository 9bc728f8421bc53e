"""Streamed, series-ordered selections of a release for the SDMX API, and the codes that have data.

Release files are written sorted by dimensions and period (``Warehouse.build_release``) and loaded into
memory in that order, so a plain filtered scan streams observations already grouped by series, with no
sort and with memory flat in the size of the answer. Other orders, first/last N observations per series
and a restriction to some providers' keys sort the selection first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pivgm.warehouse.files import PERIOD_START
from pivgm.warehouse.query import DataQuery, ReleaseReader


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _columns(names: Sequence[str]) -> str:
    return ", ".join(map(_quote, names))


@dataclass(frozen=True)
class SeriesQuery:
    """A selection (``query``: codes and period range) and how to deliver it.

    ``series`` keys a series (the partition for ``first_n``/``last_n``); ``order`` sorts the answer (empty:
    release order, i.e. by dimensions then period); ``within`` keeps only the observations whose key
    (``key_columns``) is in those version files (a provider's data); ``distinct`` returns each combination
    of ``columns`` once, sorted (series keys without observations).
    """

    query: DataQuery
    columns: tuple[str, ...]
    series: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    first_n: int | None = None
    last_n: int | None = None
    within: tuple[Path, ...] = ()
    key_columns: tuple[str, ...] = ()
    distinct: bool = False


def _source(reader: ReleaseReader, release_file: Path, query: SeriesQuery) -> tuple[str, list[object]]:
    """``FROM ... WHERE ...`` of the selection, with its parameters."""
    table = reader._table(release_file)
    where, parameters = query.query.where()
    if not query.within:
        return f"{table}{where}", parameters
    keys = _columns(query.key_columns)
    versions = f"(SELECT {keys} FROM read_parquet(?, union_by_name=true))"
    return f"{table} SEMI JOIN {versions} AS v USING ({keys}){where}", [
        [str(p) for p in query.within],
        *parameters,
    ]


def _ranked(source: str, query: SeriesQuery) -> str:
    """Number observations within each series from both ends, and keep the first/last N."""
    partition = f"PARTITION BY {_columns(query.series)}" if query.series else ""
    conditions = []
    if query.first_n:
        conditions.append(f"_first <= {int(query.first_n)}")
    if query.last_n:
        conditions.append(f"_last <= {int(query.last_n)}")
    return (
        f"(SELECT *, row_number() OVER ({partition} ORDER BY {PERIOD_START}) AS _first, "
        f"row_number() OVER ({partition} ORDER BY {PERIOD_START} DESC) AS _last FROM {source}) "
        f"WHERE {' OR '.join(conditions)}"
    )


def stream_observations(
    reader: ReleaseReader, release_file: Path, query: SeriesQuery, batch_rows: int = 65_536
) -> pa.RecordBatchReader:
    """The selected observations as a stream of Arrow batches (``query.columns``, in order)."""
    source, parameters = _source(reader, release_file, query)
    ranked = bool(query.first_n or query.last_n)
    if ranked:
        source = _ranked(source, query)
    if query.distinct:
        sql = f"SELECT DISTINCT {_columns(query.columns)} FROM {source} ORDER BY {_columns(query.columns)}"
        return reader._connection.cursor().sql(sql, params=parameters).to_arrow_reader(batch_rows)
    order = query.order or ((*query.series, PERIOD_START) if ranked or query.within else ())
    order_by = f" ORDER BY {_columns(order)}" if order else ""
    sql = f"SELECT {_columns(query.columns)} FROM {source}{order_by}"
    relation = reader._connection.cursor().sql(sql, params=parameters)
    return relation.to_arrow_reader(batch_rows)


def code_counts(reader: ReleaseReader, release_file: Path, column: str, query: SeriesQuery) -> dict[str, int]:
    """How many selected observations each value of ``column`` has."""
    source, parameters = _source(reader, release_file, query)
    sql = f"SELECT {_quote(column)}, count(*) FROM {source} GROUP BY 1"
    rows = reader._connection.cursor().execute(sql, parameters).fetchall()
    return {str(value): int(n) for value, n in rows if value is not None}


def period_range(
    reader: ReleaseReader, release_file: Path, time_column: str, query: SeriesQuery
) -> tuple[str | None, str | None, int]:
    """First and last period of the selection, and how many observations it has."""
    source, parameters = _source(reader, release_file, query)
    time = _quote(time_column)
    sql = f"SELECT arg_min({time}, {PERIOD_START}), arg_max({time}, {PERIOD_START}), count(*) FROM {source}"
    row = reader._connection.cursor().execute(sql, parameters).fetchone()
    if row is None or not row[2]:
        return None, None, 0
    return str(row[0]), str(row[1]), int(row[2])
