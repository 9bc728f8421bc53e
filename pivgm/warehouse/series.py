"""Streamed, series-ordered selections of a release for the SDMX API, and the codes that have data.

Release files are written sorted by dimensions and period (``Warehouse.build_release``) and scanned in
that order, so a plain filtered scan streams observations already grouped by series, with no
sort and with memory flat in the size of the answer. Other orders, first/last N observations per series
and a restriction to some providers' keys sort the selection first.

A selection can also read ``VersionFiles``: dataset version files read together as a release would hold
them (what an answer with a provider's unpublished version is made of). They are read from disk on each
query, with their period start computed, and always sorted like a release (a release needs no sort).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pivgm.warehouse.files import PERIOD_START, period_start_sql
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


@dataclass(frozen=True)
class VersionFiles:
    """Dataset version files read as one table, the union a release of exactly these versions would hold."""

    files: tuple[Path, ...]


Snapshot = Path | VersionFiles
"""What a selection reads: a release file or a union of version files."""


def snapshot_columns(reader: ReleaseReader, data: Snapshot) -> frozenset[str]:
    """The columns ``data`` holds (older files lack ``LAST_UPDATED``)."""
    if isinstance(data, VersionFiles):
        return frozenset(name for path in data.files for name in pq.read_schema(path).names)
    return frozenset(reader.columns(data))


def _table(reader: ReleaseReader, data: Snapshot) -> tuple[str, list[object]]:
    """The table expression for ``data``, with its parameters."""
    if isinstance(data, VersionFiles):
        columns = {name for path in data.files for name in pq.read_schema(path).names}
        union = f"SELECT *, {period_start_sql(columns)} AS {PERIOD_START} FROM read_parquet(?, union_by_name=true)"
        return f"({union}) AS versions", [[str(p) for p in data.files]]
    return reader._table(data), []


def _source(reader: ReleaseReader, data: Snapshot, query: SeriesQuery) -> tuple[str, list[object]]:
    """``FROM ... WHERE ...`` of the selection, with its parameters (in the order they appear)."""
    table, parameters = _table(reader, data)
    where, where_parameters = query.query.where()
    if not query.within:
        return f"{table}{where}", [*parameters, *where_parameters]
    keys = _columns(query.key_columns)
    versions = f"(SELECT {keys} FROM read_parquet(?, union_by_name=true))"
    return f"{table} SEMI JOIN {versions} AS v USING ({keys}){where}", [
        *parameters,
        [str(p) for p in query.within],
        *where_parameters,
    ]


def _order(data: Snapshot, query: SeriesQuery, ranked: bool) -> tuple[str, ...]:
    """The sort order: the one asked for; by series and period when ranked or restricted to some versions'
    keys; a release's own order (by key) for a union of version files, which has none; else none (a release
    is stored in series order)."""
    if query.order:
        return query.order
    if ranked or query.within:
        return (*query.series, PERIOD_START)
    if isinstance(data, VersionFiles):
        return query.key_columns or (*query.series, PERIOD_START)
    return ()


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
    reader: ReleaseReader, data: Snapshot, query: SeriesQuery, batch_rows: int = 65_536
) -> pa.RecordBatchReader:
    """The selected observations of a release (or of a union of version files) as a stream of Arrow batches
    (``query.columns``, in order)."""
    source, parameters = _source(reader, data, query)
    ranked = bool(query.first_n or query.last_n)
    if ranked:
        source = _ranked(source, query)
    if query.distinct:
        sql = f"SELECT DISTINCT {_columns(query.columns)} FROM {source} ORDER BY {_columns(query.columns)}"
        return reader._connection.cursor().sql(sql, params=parameters).to_arrow_reader(batch_rows)
    order = _order(data, query, ranked)
    order_by = f" ORDER BY {_columns(order)}" if order else ""
    sql = f"SELECT {_columns(query.columns)} FROM {source}{order_by}"
    relation = reader._connection.cursor().sql(sql, params=parameters)
    return relation.to_arrow_reader(batch_rows)


def code_counts(reader: ReleaseReader, data: Snapshot, column: str, query: SeriesQuery) -> dict[str, int]:
    """How many selected observations each value of ``column`` has."""
    source, parameters = _source(reader, data, query)
    sql = f"SELECT {_quote(column)}, count(*) FROM {source} GROUP BY 1"
    rows = reader._connection.cursor().execute(sql, parameters).fetchall()
    return {str(value): int(n) for value, n in rows if value is not None}


def period_range(
    reader: ReleaseReader, data: Snapshot, time_column: str, query: SeriesQuery
) -> tuple[str | None, str | None, int]:
    """First and last period of the selection, and how many observations it has."""
    source, parameters = _source(reader, data, query)
    time = _quote(time_column)
    sql = f"SELECT arg_min({time}, {PERIOD_START}), arg_max({time}, {PERIOD_START}), count(*) FROM {source}"
    row = reader._connection.cursor().execute(sql, parameters).fetchone()
    if row is None or not row[2]:
        return None, None, 0
    return str(row[0]), str(row[1]), int(row[2])


ACTION = "ACTION"
"""The column a change stream adds: ``I`` added, ``R`` revised, ``D`` deleted (SDMX-CSV 2.0 actions)."""


@dataclass(frozen=True)
class Changes:
    """Two snapshots to compare (``before`` None: there was nothing), each with its own selection (they
    differ in ``within``: a provider's keys then and now), and the columns whose difference is a revision."""

    before: Snapshot | None
    after: Snapshot
    before_query: SeriesQuery
    after_query: SeriesQuery
    compared: tuple[str, ...]


def stream_changes(reader: ReleaseReader, changes: Changes, batch_rows: int = 65_536) -> pa.RecordBatchReader:
    """The observations of ``after`` that are new (``I``) or differ in a ``compared`` column (``R``) from
    ``before``, then the keys of ``before`` missing from ``after`` (``D``, other columns null), each part in
    series order: ``after_query.columns`` and ``ACTION``."""
    query = changes.after_query
    keys = list(query.key_columns)
    compared = [c for c in changes.compared if c not in keys]
    after, parameters = _source(reader, changes.after, query)
    after_columns = _columns(list(dict.fromkeys([*keys, *compared, *query.columns, PERIOD_START])))
    before_columns = _columns([*keys, *compared, PERIOD_START])
    if changes.before is None:
        before = f"SELECT {before_columns}, true AS _was FROM after_rows WHERE false"
    else:
        source, before_parameters = _source(reader, changes.before, changes.before_query)
        before = f"SELECT {before_columns}, true AS _was FROM {source}"
        parameters = [*parameters, *before_parameters]
    same_key = " AND ".join(f"a.{_quote(k)} = b.{_quote(k)}" for k in keys)
    differs = " OR ".join(f"a.{_quote(c)} IS DISTINCT FROM b.{_quote(c)}" for c in compared) or "false"
    deleted = ", ".join(f"b.{_quote(c)}" if c in keys else f"NULL AS {_quote(c)}" for c in query.columns)
    order = _columns(query.order or (*query.series, PERIOD_START))
    sql = f"""
        WITH after_rows AS (SELECT {after_columns} FROM {after}), before_rows AS ({before})
        SELECT {_columns(query.columns)}, {ACTION} FROM (
            SELECT {", ".join(f"a.{_quote(c)}" for c in query.columns)}, a.{PERIOD_START},
                   CASE WHEN b._was IS NULL THEN 'I' ELSE 'R' END AS {ACTION}
            FROM after_rows a LEFT JOIN before_rows b ON {same_key}
            WHERE b._was IS NULL OR {differs}
            UNION ALL
            SELECT {deleted}, b.{PERIOD_START}, 'D' AS {ACTION}
            FROM before_rows b WHERE NOT EXISTS (SELECT 1 FROM after_rows a WHERE {same_key})
        ) ORDER BY {ACTION} = 'D', {order}
    """
    relation = reader._connection.cursor().sql(sql, params=parameters)
    return relation.to_arrow_reader(batch_rows)
