"""The public read path: DuckDB over release snapshots, held in memory, one table per release."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from pivgm.warehouse.files import PERIOD_START

MAX_ROWS = 1_000_000


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


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
    """Reads release files. Each release is loaded once into an in-memory DuckDB table (releases are
    immutable, so the copy never goes stale); every query runs on its own cursor, so threads can share it."""

    def __init__(self) -> None:
        self._connection = duckdb.connect(":memory:")
        self._tables: dict[Path, str] = {}
        self._lock = threading.Lock()

    def _table(self, release_file: Path) -> str:
        with self._lock:
            name = self._tables.get(release_file)
            if name is None:
                name = f"release_{len(self._tables)}"
                self._connection.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(release_file)])
                self._tables[release_file] = name
            return name

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
        return self._connection.cursor().sql(sql, params=parameters).to_arrow_table()

    def columns(self, release_file: Path) -> list[str]:
        """The columns a release file holds (older releases lack LAST_UPDATED)."""
        table = self._table(release_file)
        return [row[0] for row in self._connection.cursor().execute(f"DESCRIBE {table}").fetchall()]

    def count(self, release_file: Path, query: DataQuery) -> int:
        table = self._table(release_file)
        where, parameters = query.where()
        row = self._connection.cursor().execute(f"SELECT count(*) FROM {table}{where}", parameters).fetchone()
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
        columns = {str(row[0]) for row in cursor.execute(f"DESCRIBE {table}").fetchall()}
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
        """How many observations each code of ``column`` has (for filter panels and structure views)."""
        table = self._table(release_file)
        rows = (
            self._connection.cursor().execute(f"SELECT {_quote(column)}, count(*) FROM {table} GROUP BY 1").fetchall()
        )
        return {str(code): int(n) for code, n in rows}

    def period_range(self, release_file: Path) -> tuple[str, str] | None:
        table = self._table(release_file)
        row = (
            self._connection.cursor()
            .execute(f"SELECT arg_min(TIME_PERIOD, {PERIOD_START}), arg_max(TIME_PERIOD, {PERIOD_START}) FROM {table}")
            .fetchone()
        )
        if not row or row[0] is None:
            return None
        return str(row[0]), str(row[1])
