"""Vectorised checks over an Arrow table of submitted observations, run in DuckDB.

Each function takes the table (with a ``_row`` column: the row number as the user sees it in the file)
and returns an Arrow table of the offending rows with the columns a report needs. The rules in
``pivgm.ingest.rules`` decide which checks to run and how to word the issues.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from pivgm.warehouse.files import PERIOD_START_SQL

ROW = "_row"
VALID_PERIOD = r"\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?"
MISSING_MARKERS = ("", "..", "...", "-", "–", "—", "n.d.", "nd", "s.d.", "n/a", "na", "x")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class TableChecks:
    """One submission's table registered in a private DuckDB connection."""

    def __init__(self, table: pa.Table) -> None:
        self.connection = duckdb.connect(":memory:")
        # copied once into DuckDB's own columnar storage: the rules then scan it many times, fast
        self.connection.register("arrow_input", table)
        self.connection.execute("CREATE TABLE submitted AS SELECT * FROM arrow_input")
        self.connection.unregister("arrow_input")
        self.columns = set(table.column_names)

    def close(self) -> None:
        self.connection.close()

    def _arrow(self, sql: str, parameters: Sequence[object] = ()) -> pa.Table:
        return self.connection.sql(sql, params=list(parameters)).to_arrow_table()

    def parse_numbers(self, column: str, decimal: str) -> pa.Table:
        """``_row``, ``text``, ``value`` for every row: ``value`` is null for missing markers and for text
        that is not a number (``invalid`` is true for the latter)."""
        thousands = "." if decimal == "," else ","
        text = f"trim({_quote(column)})"
        cleaned = f"replace(replace(replace({text}, ' ', ''), '\u00a0', ''), '{thousands}', '')"
        if decimal == ",":
            cleaned = f"replace({cleaned}, ',', '.')"
        return self._arrow(
            f"""
            SELECT {ROW}, {_quote(column)} AS text,
                   TRY_CAST({cleaned} AS DOUBLE) AS value,
                   (TRY_CAST({cleaned} AS DOUBLE) IS NULL
                    AND coalesce(lower({text}), '') NOT IN (SELECT unnest(?))) AS invalid
            FROM submitted
            """,
            [list(MISSING_MARKERS)],
        )

    def values_not_in(self, column: str, allowed: Sequence[str]) -> pa.Table:
        """Rows whose ``column`` holds a value not in ``allowed`` (nulls excluded)."""
        return self._arrow(
            f"SELECT {ROW}, {_quote(column)} AS value FROM submitted "
            f"WHERE {_quote(column)} IS NOT NULL AND NOT list_contains(?, {_quote(column)}) ORDER BY {ROW}",
            [list(allowed)],
        )

    def empty_values(self, column: str) -> pa.Table:
        return self._arrow(
            f"SELECT {ROW} FROM submitted WHERE {_quote(column)} IS NULL OR trim({_quote(column)}) = '' ORDER BY {ROW}"
        )

    def malformed_periods(self, column: str, pattern: str) -> pa.Table:
        return self._arrow(
            f"SELECT {ROW}, {_quote(column)} AS value FROM submitted "
            f"WHERE {_quote(column)} IS NOT NULL AND NOT regexp_full_match({_quote(column)}, ?) ORDER BY {ROW}",
            [pattern],
        )

    def periods_not_matching(self, column: str, frequency_column: str, frequency: str, pattern: str) -> pa.Table:
        """Rows of one frequency whose period does not have that frequency's form."""
        return self._arrow(
            f"SELECT {ROW}, {_quote(column)} AS value FROM submitted "
            f"WHERE {_quote(frequency_column)} = ? AND {_quote(column)} IS NOT NULL "
            f"AND NOT regexp_full_match({_quote(column)}, ?) ORDER BY {ROW}",
            [frequency, pattern],
        )

    def duplicate_keys(self, keys: Sequence[str]) -> pa.Table:
        """Every row whose key appears more than once, with the first row of its key."""
        columns = ", ".join(_quote(k) for k in keys)
        return self._arrow(
            f"""
            SELECT {ROW}, first_row, key FROM (
              SELECT {ROW}, min({ROW}) OVER (PARTITION BY {columns}) AS first_row,
                     count(*) OVER (PARTITION BY {columns}) AS n,
                     concat_ws('.', {columns}) AS key
              FROM submitted)
            WHERE n > 1 AND {ROW} <> first_row ORDER BY {ROW}
            """
        )

    def negative_values(self, column: str) -> pa.Table:
        return self._arrow(f"SELECT {ROW}, {_quote(column)} AS value FROM submitted WHERE {_quote(column)} < 0")

    def total_mismatches(
        self, dimension: str, total_code: str, part_codes: Sequence[str], others: Sequence[str], value: str
    ) -> pa.Table:
        """Rows holding a total (e.g. SEX=_T) that differs from the sum of all its parts (F + M), where
        every part is present."""
        group = ", ".join(_quote(c) for c in others)
        return self._arrow(
            f"""
            WITH parts AS (
              SELECT {group}, sum({_quote(value)}) AS parts_sum, count(DISTINCT {_quote(dimension)}) AS n
              FROM submitted WHERE list_contains(?, {_quote(dimension)}) GROUP BY {group})
            SELECT t.{ROW}, t.{_quote(value)} AS total, p.parts_sum
            FROM submitted t JOIN parts p USING ({group})
            WHERE t.{_quote(dimension)} = ? AND p.n = ? AND abs(t.{_quote(value)} - p.parts_sum) > 0.5
            ORDER BY t.{ROW}
            """,
            [list(part_codes), total_code, len(part_codes)],
        )

    def series_anomalies(
        self,
        series: Sequence[str],
        period: str,
        value: str,
        history: pa.Table | None,
        z_limit: float,
        jump: float,
    ) -> pa.Table:
        """Per submitted row: its modified z-score against its series (history plus submission), and
        whether it jumps by more than ``jump`` times from the previous period."""
        group = ", ".join(_quote(c) for c in series)
        if history is not None and history.num_rows:
            self.connection.register("history", history)
            past = (
                f"SELECT {group}, {_quote(period)}, {_quote(value)}, NULL::BIGINT AS {ROW} FROM history "
                f"WHERE ({group}, {_quote(period)}) NOT IN (SELECT ({group}, {_quote(period)}) FROM submitted)"
            )
        else:
            past = (
                f"SELECT {group}, {_quote(period)}, {_quote(value)}, NULL::BIGINT AS {ROW} FROM submitted WHERE false"
            )
        start = PERIOD_START_SQL.replace("TIME_PERIOD", _quote(period))
        return self._arrow(
            f"""
            WITH everything AS (
              SELECT {group}, {_quote(period)}, {_quote(value)}, {ROW} FROM submitted
                WHERE {_quote(value)} IS NOT NULL AND regexp_full_match({_quote(period)}, '{VALID_PERIOD}')
              UNION ALL {past}),
            medians AS (
              SELECT {group}, median({_quote(value)}) AS med, count(*) AS n FROM everything GROUP BY {group}),
            deviations AS (
              SELECT e.*, m.med, m.n, abs(e.{_quote(value)} - m.med) AS dev
              FROM everything e JOIN medians m USING ({group})),
            mads AS (SELECT {group}, median(dev) AS mad FROM deviations GROUP BY {group}),
            ordered AS (
              SELECT d.*, s.mad,
                     lag(d.{_quote(value)}) OVER (PARTITION BY {group} ORDER BY {start}) AS previous
              FROM deviations d JOIN mads s USING ({group}))
            SELECT {ROW}, {_quote(value)} AS value, previous, n,
                   CASE WHEN mad > 0 THEN 0.6745 * ({_quote(value)} - med) / mad END AS z,
                   (abs(CASE WHEN mad > 0 THEN 0.6745 * ({_quote(value)} - med) / mad END) > ?) AS outlier,
                   (previous > 0 AND {_quote(value)} > 0
                    AND greatest({_quote(value)} / previous, previous / {_quote(value)}) >= ?) AS jump
            FROM ordered WHERE {ROW} IS NOT NULL ORDER BY {ROW}
            """,
            [z_limit, jump],
        )

    def missing_periods(self, series: Sequence[str], period: str) -> pa.Table:
        """Series with holes: for each series of one frequency, the periods missing between its first and
        last submitted period (monthly, quarterly or annual)."""
        group = ", ".join(_quote(c) for c in series)
        start = PERIOD_START_SQL.replace("TIME_PERIOD", _quote(period))
        return self._arrow(
            f"""
            WITH periods AS (
              SELECT {group}, {start} AS first_day, min({ROW}) AS {ROW},
                CASE WHEN regexp_full_match({_quote(period)}, '\\d{{4}}') THEN 12
                     WHEN contains({_quote(period)}, 'Q') THEN 3 ELSE 1 END AS months
              FROM submitted WHERE {_quote(period)} IS NOT NULL
                AND regexp_full_match({_quote(period)}, '{VALID_PERIOD}')
              GROUP BY ALL),
            spans AS (
              SELECT {group}, months, min(first_day) AS lo, max(first_day) AS hi, count(*) AS n, min({ROW}) AS {ROW}
              FROM periods GROUP BY {group}, months)
            SELECT {ROW}, concat_ws('.', {group}) AS series, months, lo, hi,
                   (datediff('month', lo, hi) // months) + 1 - n AS missing
            FROM spans WHERE (datediff('month', lo, hi) // months) + 1 > n ORDER BY {ROW}
            """
        )

    def revisions(self, keys: Sequence[str], value: str, published: pa.Table) -> pa.Table:
        """Rows that change an already-published value: the old and the new value."""
        self.connection.register("published", published)
        on = " AND ".join(f"s.{_quote(k)} = p.{_quote(k)}" for k in keys)
        return self._arrow(
            f"""
            SELECT s.{ROW}, concat_ws('.', {", ".join("s." + _quote(k) for k in keys)}) AS key,
                   p.{_quote(value)} AS old_value, s.{_quote(value)} AS new_value
            FROM submitted s JOIN published p ON {on}
            WHERE s.{_quote(value)} IS DISTINCT FROM p.{_quote(value)} ORDER BY s.{ROW}
            """
        )
