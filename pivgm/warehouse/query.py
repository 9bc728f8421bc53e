"""The public read path: DuckDB over the immutable release snapshots (Parquet), read in place."""

from __future__ import annotations

import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pivgm.warehouse.files import PERIOD_START
from pivgm.warehouse.kept_periods import KeptPeriods

if TYPE_CHECKING:  # answers are Arrow tables, made by DuckDB: Arrow itself loads with the first one
    import duckdb
    import pyarrow as pa

# DuckDB warns of that copy on every statement read as Arrow; here it is chosen (STATEMENT_ROWS)
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning, module=__name__)

MAX_ROWS = 1_000_000
STATEMENT_ROWS = 10_000
"""Pages of up to this many observations are read as one statement: a relation binds its statement twice (a
tenth of a small page's time), while a statement's Arrow output copies its rows once more (negligible for a
small page; larger pages are read through a relation)."""
BULK_ROWS = 10_000
"""Pages asked for with a larger limit (the data API's, when ``PIVGM_API_MAX_PAGE`` allows it), and answers of
more rows written as text, go to the bulk connection, whose DuckDB runs one thread: a client pulling large
pages then keeps one core busy, not every core, and the small queries of others (on the main connection, all
threads) are not queued behind it. Queries without a limit (the explorer's) stay on the main connection."""
RELEASES_KEPT = 64
"""Releases whose columns and period range a worker keeps (the ones in force, and recent ``asOf`` reads)."""


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class DataQuery:
    """A selection of observations: codes per dimension (empty = all), a period range, a page; ``any_of``:
    further selections of codes per dimension, one of which an observation must match (several SDMX keys)."""

    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    limit: int | None = None
    offset: int = 0
    any_of: tuple[Mapping[str, Sequence[str]], ...] = ()

    def where(self) -> tuple[str, list[object]]:
        clauses, parameters = _codes(self.filters)
        alternatives = [_codes(alternative) for alternative in self.any_of]
        if alternatives and all(alternative for alternative, _ in alternatives):  # an empty one matches all
            clauses.append("(" + " OR ".join("(" + " AND ".join(c) + ")" for c, _ in alternatives) + ")")
            parameters += [value for _, values in alternatives for value in values]
        if self.start is not None:
            clauses.append(f"{PERIOD_START} >= ?")
            parameters.append(self.start)
        if self.end is not None:
            clauses.append(f"{PERIOD_START} <= ?")
            parameters.append(self.end)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), parameters


def _codes(filters: Mapping[str, Sequence[str]]) -> tuple[list[str], list[object]]:
    """One condition per dimension with codes selected, and their parameters."""
    clauses: list[str] = []
    parameters: list[object] = []
    for column, codes in filters.items():
        if codes:
            clauses.append(f"list_contains(?, {_quote(column)})")
            parameters.append(list(codes))
    return clauses, parameters


class ReleaseReader:
    """Reads release files in place: every query scans the immutable Parquet file itself (sorted by key, so
    its row-group statistics skip most of it), never a copy in memory. A worker's memory stays flat however
    many releases are published, and all workers share one copy of the data: the OS page cache's.

    What is known once per release (its columns, its period range) is kept for the ``RELEASES_KEPT`` most
    recently read releases; the period ranges also in ``kept_dir`` if given, for the next processes (so
    `pivgm flows` needs no DuckDB). DuckDB loads with the first query. Every query runs on its own cursor, so
    threads can share the reader."""

    def __init__(self, kept_dir: Path | None = None) -> None:
        self._connections: dict[str, duckdb.DuckDBPyConnection] = {}
        self._closed = False
        self._kept = KeptPeriods(kept_dir) if kept_dir is not None else None
        self._facts: OrderedDict[Path, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def _opened(self, name: str, **config: Any) -> duckdb.DuckDBPyConnection:
        """The connection ``name``, opened with its first query (DuckDB loads then)."""
        with self._lock:
            connection = self._connections.get(name)
            if connection is None:
                if self._closed:
                    raise RuntimeError("The release reader is closed.")
                import duckdb

                connection = self._connections[name] = duckdb.connect(":memory:", config=config)
                connection.execute("SET parquet_metadata_cache = true")  # footers read once per file
            return connection

    @property
    def _connection(self) -> duckdb.DuckDBPyConnection:
        return self._opened("main")

    @property
    def _bulk(self) -> duckdb.DuckDBPyConnection:
        """The connection of large answers (``BULK_ROWS``): a DuckDB of its own, on one thread."""
        return self._opened("bulk", threads=1)

    def _for(self, rows: int) -> duckdb.DuckDBPyConnection:
        return self._bulk if rows > BULK_ROWS else self._connection

    def close(self) -> None:
        """Close the DuckDB connections (and their threads); the reader cannot be used afterwards."""
        with self._lock:
            self._closed = True
            for connection in self._connections.values():
                connection.close()

    def _table(self, release_file: Path) -> str:
        """The table expression that reads ``release_file``."""
        return f"read_parquet({_literal(str(release_file))})"

    def _fact(self, release_file: Path, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` for this release, computed once while the release stays among the recent ones."""
        with self._lock:
            facts = self._facts.get(release_file)
            if facts is not None:
                self._facts.move_to_end(release_file)
                if name in facts:
                    return facts[name]
        value = compute()
        with self._lock:
            self._facts.setdefault(release_file, {})[name] = value
            self._facts.move_to_end(release_file)
            while len(self._facts) > RELEASES_KEPT:
                self._facts.popitem(last=False)
        return value

    def observations(
        self, release_file: Path, columns: Sequence[str], query: DataQuery, order_by: Sequence[str]
    ) -> pa.Table:
        """The selected observations, with ``columns`` in that order."""
        table = self._table(release_file)
        where, parameters = query.where()
        limit = min(query.limit or MAX_ROWS, MAX_ROWS)
        sql = (
            f"SELECT {', '.join(map(_quote, columns))} FROM {table}{where} "
            f"ORDER BY {', '.join(map(_quote, order_by))} LIMIT {int(limit)} OFFSET {int(query.offset)}"
        )
        if limit <= STATEMENT_ROWS:
            return self._connection.cursor().execute(sql, parameters).to_arrow_table()
        return self._for(query.limit or 0).cursor().sql(sql, params=parameters).to_arrow_table()

    def json_rows(self, table: pa.Table) -> pa.ChunkedArray | None:
        """``table``'s rows as JSON text written by DuckDB, off the interpreter's lock (see ``json_text``)."""
        from pivgm.warehouse import json_text  # with Arrow, which only data answers need

        return json_text.json_rows(self._for(table.num_rows), table)

    def csv_rows(self, table: pa.Table) -> pa.ChunkedArray | None:
        """``table``'s rows as CSV lines written by DuckDB, off the interpreter's lock (see ``csv_text``)."""
        from pivgm.warehouse import csv_text  # with Arrow, which only data answers need

        return csv_text.csv_rows(self._for(table.num_rows), table)

    def columns(self, release_file: Path) -> tuple[str, ...]:
        """The columns a release file holds (older releases lack LAST_UPDATED)."""

        def describe() -> tuple[str, ...]:
            cursor = self._connection.cursor()
            return tuple(
                str(row[0]) for row in cursor.execute(f"DESCRIBE SELECT * FROM {self._table(release_file)}").fetchall()
            )

        return cast(tuple[str, ...], self._fact(release_file, "columns", describe))

    def count(self, release_file: Path, query: DataQuery) -> int:
        table = self._table(release_file)
        where, parameters = query.where()
        connection = self._for(query.limit or 0)  # counted where the page is read
        row = connection.cursor().execute(f"SELECT count(*) FROM {table}{where}", parameters).fetchone()
        return int(row[0]) if row else 0

    def totals(self, release_file: Path, group_by: Sequence[str], query: DataQuery, annual: bool = False) -> pa.Table:
        """Sum of OBS_VALUE by ``group_by`` over the selection (for charts and headline figures).

        ``TIME_PERIOD`` in ``group_by`` groups by period, or by calendar year when ``annual``; rows come in
        time order.
        """
        table = self._table(release_file)
        where, parameters = query.where()
        if annual:
            period = f"CAST(year({PERIOD_START}) AS VARCHAR)"
            order_period = period
        else:
            period, order_period = "TIME_PERIOD", f"min({PERIOD_START})"
        selected = [f"{period} AS TIME_PERIOD" if g == "TIME_PERIOD" else _quote(g) for g in group_by]
        ordered = [order_period if g == "TIME_PERIOD" else _quote(g) for g in group_by]
        groups = ", ".join(str(i + 1) for i in range(len(group_by)))
        cursor = self._connection.cursor()
        columns = self.columns(release_file)
        # a survey estimate's margin of error; of a sum, √ of the summed squares (Census Bureau), unless one is unknown
        moe = (
            ", CASE WHEN count(OBS_MOE) = count(*) THEN sqrt(sum(power(CAST(OBS_MOE AS DOUBLE), 2))) END AS OBS_MOE"
            if "OBS_MOE" in columns
            else ""
        )
        sql = (
            f"SELECT {', '.join(selected)}, sum(OBS_VALUE) AS OBS_VALUE, count(*) AS observations{moe} "
            f"FROM {table}{where} GROUP BY {groups} ORDER BY {', '.join(ordered)}"
        )
        return cursor.sql(sql, params=parameters).to_arrow_table()

    def code_counts(self, release_file: Path, column: str) -> dict[str, int]:
        """How many observations each code of ``column`` has (for filter panels and structure views; counted
        once per release)."""

        def count() -> dict[str, int]:
            sql = f"SELECT {_quote(column)}, count(*) FROM {self._table(release_file)} GROUP BY 1"
            return {str(code): int(n) for code, n in self._connection.cursor().execute(sql).fetchall()}

        return dict(self._fact(release_file, f"code_counts:{column}", count))

    def period_range(self, release_file: Path) -> tuple[str, str] | None:
        """The first and last period of a release (computed once per release)."""

        def scan() -> tuple[str, str] | None:
            if self._kept is not None:
                known, kept = self._kept.get(release_file)
                if known:
                    return kept
            table = self._table(release_file)
            sql = f"SELECT arg_min(TIME_PERIOD, {PERIOD_START}), arg_max(TIME_PERIOD, {PERIOD_START}) FROM {table}"
            row = self._connection.cursor().execute(sql).fetchone()
            found = None if not row or row[0] is None else (str(row[0]), str(row[1]))
            if self._kept is not None:
                self._kept.put(release_file, found)
            return found

        return cast(tuple[str, str] | None, self._fact(release_file, "period_range", scan))
