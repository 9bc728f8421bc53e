"""Vectorised checks over a submission's table: Arrow over each column's distinct values, DuckDB over numbers.

``TableChecks`` dictionary-encodes the table once (see ``encoding``). Checks of single values (codes, empty
cells, period forms, numbers) look at each column's distinct values and then pick the rows holding the bad
ones. Checks that compare rows (duplicate keys, totals, series statistics, published values) give each row
integer codes for its key, series and period, and group those in DuckDB, never the text itself.

Each check returns an Arrow table of the offending rows, ordered by ``_row`` (the row number as the user
sees it in the file), with the columns a report needs. The rules in ``pivgm.ingest.rules`` decide which
checks to run and how to word the issues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pivgm.warehouse.encoding import (
    INDEX,
    TEXT,
    add_codes,
    add_indices,
    combined_codes,
    combined_codes_with,
    encode,
    positions_in,
    rows_where,
)
from pivgm.warehouse.memory import release_free_memory
from pivgm.warehouse.published import Columns
from pivgm.warehouse.published_codes import published_codes
from pivgm.warehouse.series_index import SeriesIndex, period_places

ROW = "_row"
VALID_PERIOD = r"\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?"
LARGE_FRAME_ROWS = 200_000
CHUNK_ROWS = 1_000_000  # rows compared at a time where a whole column of temporaries would add to the peak
JOIN_SHARE_ROWS = 1_000_000  # the most rows of one side that a join of keys hashes at once (``_pair_keys``)
MISSING_MARKERS = ("", "..", "...", "-", "–", "—", "n.d.", "nd", "s.d.", "n/a", "na", "x")

# Months since year 0 at which a period starts, and its length in months (A, Q and M periods only).
PERIOD_ORDINAL_SQL = r"""
SELECT CASE WHEN regexp_full_match(p, '\d{4}') THEN CAST(p AS INTEGER) * 12
            WHEN regexp_full_match(p, '\d{4}-Q[1-4]')
              THEN CAST(p[1:4] AS INTEGER) * 12 + (CAST(p[7:7] AS INTEGER) - 1) * 3
            WHEN regexp_full_match(p, '\d{4}-(0[1-9]|1[0-2])')
              THEN CAST(p[1:4] AS INTEGER) * 12 + CAST(p[6:7] AS INTEGER) - 1
       END AS ordinal,
       CASE WHEN regexp_full_match(p, '\d{4}') THEN 12 WHEN regexp_full_match(p, '\d{4}-Q[1-4]') THEN 3
            WHEN regexp_full_match(p, '\d{4}-(0[1-9]|1[0-2])') THEN 1 END AS months
FROM periods
"""


FIRST_REVISIONS = pa.struct([("pos", pa.int64()), ("old_value", pa.float64()), ("new_value", pa.float64())])


@dataclass(frozen=True)
class ParsedNumbers:
    """A text column read as numbers: ``values`` (null for missing markers and for text that is not a
    number) and the rows of the latter (``_row``, ``text``)."""

    values: pa.Array
    invalid: pa.Table


def _rows_of(column: pa.ChunkedArray, positions: pa.Array) -> pa.ChunkedArray:
    """The rows of ``column`` at ``positions`` (increasing): the column itself when they are all of them."""
    return column if len(positions) == len(column) else column.take(positions)


def _outliers(values: np.ndarray, centre: np.ndarray, spread: np.ndarray, z_limit: float) -> np.ndarray:
    """Whether each value's modified z-score (against its series' ``centre`` and ``spread``, which are
    overwritten: millions of rows, few copies) is above ``z_limit``."""
    found = spread > 0
    centre -= values
    np.abs(centre, out=centre)
    centre *= 0.6745
    spread *= z_limit
    found &= centre > spread
    return found


def _jumps(values: np.ndarray, before: np.ndarray, factor: float) -> np.ndarray:
    """Whether each positive value is ``factor`` times or more, or that fraction or less, of the positive
    value ``before`` it."""
    scaled = before * factor
    found = values >= scaled
    np.multiply(values, factor, out=scaled)
    found |= before >= scaled
    found &= before > 0
    found &= values > 0
    return found


def _floats(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which values of a float array are not missing, and the values (any number where missing): without
    missing values, the array's own memory."""
    valid = np.asarray(pc.is_valid(array).to_numpy(zero_copy_only=False), bool)
    return valid, np.asarray(array.to_numpy(zero_copy_only=False), np.float64)


def _full_match(values: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(values, f"^(?:{pattern})$"), False)


class TableChecks:
    """One submission's table, encoded once, with a private DuckDB connection for the grouped checks."""

    def __init__(self, table: pa.Table) -> None:
        self.connection = duckdb.connect(":memory:")
        self.rows = table.num_rows
        rows = table.column(ROW)
        self.row_numbers = rows.chunk(0) if rows.num_chunks == 1 else rows.combine_chunks()  # as they are: no copy
        self.text = {name: encode(table.column(name)) for name in table.column_names if name != ROW}
        self.numbers: dict[str, pa.Array] = {}  # columns read as numbers by ``parse_numbers``
        self._pairs: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = {}  # see ``_pair_keys``
        self._indexes: dict[tuple[tuple[str, ...], str], SeriesIndex] = {}

    def close(self) -> None:
        self.connection.close()

    # -- helpers ------------------------------------------------------------------------------------

    def _sql(self, sql: str, parameters: Sequence[object] = (), **frames: pa.Table) -> pa.Table:
        """The query's result over ``frames``; over large frames on a connection of its own, closed at once:
        DuckDB keeps the memory of a large join or median until its database is closed."""
        large = sum(frame.num_rows for frame in frames.values()) >= LARGE_FRAME_ROWS
        connection = duckdb.connect(":memory:") if large else self.connection
        for name, frame in frames.items():
            connection.register(name, frame)
        try:
            return connection.sql(sql, params=list(parameters)).to_arrow_table()
        finally:
            if large:
                connection.close()
                release_free_memory()
            else:
                for name in frames:
                    connection.unregister(name)

    def _rows(self, positions: pa.Array, **columns: pa.Array) -> pa.Table:
        """The rows at ``positions``: their ``_row`` and the given columns (already taken), by ``_row``."""
        table = pa.table({ROW: pc.take(self.row_numbers, positions), **columns})
        if table.num_rows > 1:
            table = table.take(pc.sort_indices(table, [(ROW, "ascending")]))
        return table

    def _values_at(self, column: str, positions: pa.Array) -> pa.Array:
        return pc.take(self.text[column], positions).dictionary_decode()

    def _key_text(self, columns: Sequence[str], positions: pa.Array) -> pa.Array:
        parts = [self._values_at(c, positions) for c in columns]
        if not parts:
            return pa.array([""] * len(positions), TEXT)
        return pc.binary_join_element_wise(*parts, ".", null_handling="skip")

    def _codes(self, columns: Sequence[str]) -> np.ndarray:
        """One int64 per row, equal for rows equal in all ``columns``."""
        return combined_codes([self.text[c] for c in columns], self.rows)

    def _number(self, column: str) -> pa.Array:
        if column not in self.numbers:
            raise KeyError(f"{column} has not been read as numbers (parse_numbers first).")
        return self.numbers[column]

    # -- single values --------------------------------------------------------------------------------

    def parse_numbers(self, column: str, decimal: str) -> ParsedNumbers:
        """Read ``column`` as numbers (kept for the checks that need them): spaces and thousands separators
        dropped, the decimal comma or point understood."""
        thousands = "." if decimal == "," else ","
        cleaned = f"replace(replace(replace(trim(t), ' ', ''), '\u00a0', ''), '{thousands}', '')"
        if decimal == ",":
            cleaned = f"replace({cleaned}, ',', '.')"
        encoded = self.text[column]
        parsed = self._sql(
            f"SELECT TRY_CAST({cleaned} AS DOUBLE) AS value, "
            f"(TRY_CAST({cleaned} AS DOUBLE) IS NULL AND coalesce(lower(trim(t)), '') NOT IN (SELECT unnest(?))) "
            "AS invalid FROM distinct_values",
            [list(MISSING_MARKERS)],
            distinct_values=pa.table({"t": encoded.dictionary}),
        )
        values = pc.take(parsed.column("value"), encoded.indices)
        self.numbers[column] = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        positions = rows_where(encoded, parsed.column("invalid").combine_chunks())
        return ParsedNumbers(self.numbers[column], self._rows(positions, text=self._values_at(column, positions)))

    def values_not_in(self, column: str, allowed: Sequence[str]) -> pa.Table:
        """Rows whose ``column`` holds a value not in ``allowed`` (nulls excluded)."""
        encoded = self.text[column]
        outside = pc.invert(pc.is_in(encoded.dictionary, value_set=pa.array(list(allowed), TEXT)))
        positions = rows_where(encoded, outside)
        return self._rows(positions, value=self._values_at(column, positions))

    def empty_values(self, column: str) -> pa.Table:
        encoded = self.text[column]
        blank = pc.indices_nonzero(pc.equal(pc.utf8_trim_whitespace(encoded.dictionary), "")).cast(INDEX)
        if not len(blank) and not encoded.null_count:  # no empty value: the rows need not be looked at
            return self._rows(pa.array([], pa.uint64()))
        mask = pc.or_(pc.is_null(encoded.indices), pc.is_in(encoded.indices, value_set=blank))
        return self._rows(pc.indices_nonzero(mask))

    def malformed_periods(self, column: str, pattern: str) -> pa.Table:
        encoded = self.text[column]
        positions = rows_where(encoded, pc.invert(_full_match(encoded.dictionary, pattern)))
        return self._rows(positions, value=self._values_at(column, positions))

    def periods_not_matching(self, column: str, frequency_column: str, frequency: str, pattern: str) -> pa.Table:
        """Rows of one frequency whose period does not have that frequency's form."""
        periods, frequencies = self.text[column], self.text[frequency_column]
        bad = pc.indices_nonzero(pc.invert(_full_match(periods.dictionary, pattern))).cast(INDEX)
        chosen = pc.indices_nonzero(pc.equal(frequencies.dictionary, frequency)).cast(INDEX)
        if not len(bad) or not len(chosen):
            return self._rows(pa.array([], pa.uint64()), value=pa.array([], TEXT))
        mask = pc.and_(
            pc.fill_null(pc.is_in(frequencies.indices, value_set=chosen), False),
            pc.fill_null(pc.is_in(periods.indices, value_set=bad), False),
        )
        positions = pc.indices_nonzero(mask)
        return self._rows(positions, value=self._values_at(column, positions))

    def periods_without(self, column: str, pattern: str, attribute: str | None) -> pa.Table:
        """Rows whose period has the form ``pattern`` and whose ``attribute`` (a column or ``None``) is empty."""
        encoded = self.text[column]
        matching = pc.indices_nonzero(_full_match(encoded.dictionary, pattern)).cast(INDEX)
        if not len(matching):  # no period of that form: the rows need not be looked at
            return self._rows(pa.array([], pa.uint64()), value=pa.array([], TEXT))
        mask = pc.fill_null(pc.is_in(encoded.indices, value_set=matching), False)
        if attribute is not None:
            values = self.text[attribute]
            blank = pc.indices_nonzero(pc.equal(pc.utf8_trim_whitespace(values.dictionary), "")).cast(INDEX)
            empty = pc.or_(pc.is_null(values.indices), pc.fill_null(pc.is_in(values.indices, value_set=blank), False))
            mask = pc.and_(mask, empty)
        positions = pc.indices_nonzero(mask)
        return self._rows(positions, value=self._values_at(column, positions))

    def negative_values(self, column: str) -> pa.Table:
        values = self._number(column)
        positions = pc.indices_nonzero(pc.fill_null(pc.less(values, 0), False))
        return self._rows(positions, value=pc.take(values, positions))

    # -- rows compared with rows ------------------------------------------------------------------------

    def duplicate_keys(self, series: Sequence[str], period: str) -> pa.Table:
        """Every row whose key (series and period) an earlier row already has, with that first row."""
        repeated, first = self._index(series, period).repeated()
        positions = pa.array(repeated)
        return self._rows(
            positions,
            first_row=pc.take(self.row_numbers, pa.array(first)),
            key=self._key_text([*series, period], positions),
        )

    def total_mismatches(
        self, dimension: str, total_code: str, part_codes: Sequence[str], others: Sequence[str], value: str
    ) -> pa.Table:
        """Rows holding a total (e.g. SEX=_T) that differs from the sum of all its parts (F + M), where
        every part is present with a value (a confidential part has none)."""
        dictionary = self.text[dimension].dictionary.to_pylist()
        if total_code not in dictionary or not all(part in dictionary for part in part_codes):
            return self._rows(
                pa.array([], pa.uint64()), total=pa.array([], pa.float64()), parts_sum=pa.array([], pa.float64())
            )
        frame = pa.table(
            {
                "g": self._codes(others),
                "d": self.text[dimension].indices,
                "v": self._number(value),
                "pos": np.arange(self.rows),
            }
        )
        found = self._sql(
            """
            WITH parts AS (
              SELECT g, sum(v) AS parts_sum, count(DISTINCT d) FILTER (WHERE v IS NOT NULL) AS n
              FROM frame WHERE list_contains(?, d) GROUP BY g)
            SELECT f.pos, f.v AS total, p.parts_sum FROM frame f JOIN parts p USING (g)
            WHERE f.d = ? AND p.n = ? AND abs(f.v - p.parts_sum) > 0.5
            """,
            [[dictionary.index(part) for part in part_codes], dictionary.index(total_code), len(part_codes)],
            frame=frame,
        )
        return self._rows(
            found.column("pos").combine_chunks(),
            total=found.column("total").combine_chunks(),
            parts_sum=found.column("parts_sum").combine_chunks(),
        )

    def _codes_with(self, columns: Sequence[str], other: Columns) -> tuple[np.ndarray, np.ndarray, pa.Array]:
        """Codes of ``columns`` for the submitted rows and for the rows of ``other`` whose values all occur
        in the submission (rows with any other value cannot share a key or series with it), numbered alike;
        and the positions in ``other`` of those rows."""
        arrays = [self.text[c] for c in columns]
        scanned = published_codes(arrays, columns, other)
        if scanned is None:
            submitted, published, matched = combined_codes_with(
                arrays, self.rows, (other.column(c) for c in columns), other.num_rows
            )
            return submitted, published, pa.array(matched)
        published, known = scanned
        index = np.int32 if other.num_rows < 2**31 else np.int64  # positions in 32 bits when they fit
        if known.all():  # every published row can match: the codes as they are, not a copy
            return combined_codes(arrays, self.rows), published, pa.array(np.arange(other.num_rows, dtype=index))
        matched = np.flatnonzero(known).astype(index)
        del known
        return combined_codes(arrays, self.rows), published[matched], pa.array(matched)

    def _index(self, series: Sequence[str], period: str) -> SeriesIndex:
        """The submitted rows in series order (made once per series definition)."""
        memo = (tuple(series), period)
        if memo not in self._indexes:
            start, length = self._places(period)
            self._indexes[memo] = SeriesIndex.build(self._codes(series), start, length)
        return self._indexes[memo]

    def _places(self, column: str, text: pa.Array | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Period start and length per row of ``column`` (or of ``text``, e.g. published periods): found for
        each distinct period, then picked for each row."""
        encoded = self.text[column] if text is None else encode(text)
        found = self._sql(PERIOD_ORDINAL_SQL, periods=pa.table({"p": encoded.dictionary}))
        entries = len(encoded.dictionary)
        start, length = period_places(  # one more entry for an empty cell (a null index), as ``codes`` puts it
            pa.concat_arrays([found.column("ordinal").combine_chunks(), pa.nulls(1, found.column("ordinal").type)]),
            pa.concat_arrays([found.column("months").combine_chunks(), pa.nulls(1, found.column("months").type)]),
            pa.array([*range(entries), None], pa.int64()),
        )
        indices = encoded.indices if encoded.null_count == 0 else encoded.indices.fill_null(entries)
        rows = indices.to_numpy(zero_copy_only=False)  # the narrow indices themselves, not an int64 copy
        # starts fit 32 bits (months since year 0), lengths 8: a quarter of the memory
        return start.astype(np.int32)[rows], length.astype(np.int8)[rows]

    def _with_history(
        self, series: Sequence[str], period: str, value: str, history: Columns | None
    ) -> tuple[SeriesIndex, np.ndarray]:
        """The submitted rows, followed by the published rows of the same series that the submission does
        not replace (another period), in series order; and the values of all of them (NaN where missing).
        Without such rows (no history, or a submission that revises all of it) the submission's own index."""
        own = self._index(series, period)
        if history is None or not history.num_rows or not {*series, period, value} <= set(history.column_names):
            return own, self._values(value)
        submitted, published, matched = self._codes_with(series, history)
        release_free_memory()  # what reading the published columns left free, before the join
        located = positions_in(_rows_of(history.column(period), matched), self.text[period])
        by_place = self._keys_fit_a_table(own, period)
        width = 0 if by_place else self._key_codes((submitted, published), self.text[period], located)
        if by_place:  # the submitted series' codes kept once per series, not once per row, while keys are paired
            codes_of_series = np.empty(int(own.series.max()) + 1, np.int64)
            codes_of_series[own.series] = submitted
            del submitted
            rows_by_place = self._rows_by_place(own, period)
            found = self._pair_keys_by_place(
                (*series, period), codes_of_series, rows_by_place, published, located, matched
            )
            del located, rows_by_place
            submitted = codes_of_series[own.series] if len(found) else codes_of_series[:0]
        elif width:  # the codes are the keys now: matched published rows whose period the submission does not have
            del located
            found = self._pair_keys((*series, period), (submitted, published), matched)
            submitted //= width  # the series' codes again
            published //= width
        else:
            other_periods = self._sql(
                "SELECT pos FROM past ANTI JOIN frame USING (s, p)",
                frame=pa.table({"s": submitted, "p": self.text[period].indices}),
                past=pa.table({"s": published, "p": located, "pos": np.arange(len(matched))}),
            )
            del located
            found = np.sort(other_periods.column("pos").to_numpy())
        if not len(found):
            return own, self._values(value)
        kept = pc.take(matched, pa.array(found))
        del matched
        past_start, past_length = self._places(period, history.column(period).take(kept))
        past_values = history.column(value).take(kept).cast(pa.float64()).to_numpy(zero_copy_only=False)
        index = SeriesIndex.build(
            np.concatenate([submitted, published[found]]),
            np.concatenate([own.start, past_start]),
            np.concatenate([own.length, past_length]),
            np.concatenate([np.zeros(self.rows, bool), np.ones(len(found), bool)]),
        )
        return index, np.concatenate([self._values(value), past_values])

    def _values(self, column: str) -> np.ndarray:
        """The submitted numbers of ``column`` as floats, NaN where missing."""
        return np.asarray(self._number(column).to_numpy(zero_copy_only=False), np.float64)

    def _key_codes(
        self, series_codes: tuple[np.ndarray, np.ndarray], period: pa.DictionaryArray, located: pa.Array
    ) -> int:
        """Turn the series' codes (``series_codes``: of the submitted and of the matched published rows) into
        the codes of the keys (series and period), in place, from the published periods' positions in
        ``period`` (``located``; null where the period is not the submission's: a code of its own that no
        submitted row has). Returns the width by which a key's integer division gives its series' code
        back; 0 (codes untouched) when the codes are too wide to number this way."""
        submitted, published = series_codes
        width = len(period.dictionary) + 2  # the periods, an empty one, and one the submission does not have
        if max(int(submitted.max(initial=0)), int(published.max(initial=0))) + 1 >= 2**62 // width:
            return 0  # ``_codes_with`` numbers them itself
        submitted *= width
        add_codes(submitted, period)
        published *= width
        add_indices(published, located, width - 1)
        return width

    def _keys_fit_a_table(self, own: SeriesIndex, period: str) -> bool:
        """Whether keys can be paired without a join (``_rows_by_place``): each submitted key is on one row,
        and a table of the series times the periods is not large beside the rows (as it would be with
        many series, each with few of the periods)."""
        width = len(self.text[period].dictionary) + 1
        count = int(own.series.max()) + 1 if self.rows else 0
        return bool(count) and bool(own.run_start.all()) and count * width <= 2 * self.rows + CHUNK_ROWS

    def _rows_by_place(self, own: SeriesIndex, period: str) -> np.ndarray:
        """The row of each key in a table of ``own``'s series numbers times the periods and an empty one
        (-1 where no row has the key); see ``_keys_fit_a_table``."""
        periods = self.text[period]
        width = len(periods.dictionary) + 1
        places = np.multiply(own.series, width, dtype=np.int32)  # the table has fewer than 2**31 places
        add_codes(places, periods)
        rows_by_place = np.full((int(own.series.max()) + 1) * width, -1, np.int32)
        rows_by_place[places] = np.arange(self.rows, dtype=np.int32)
        return rows_by_place

    def _pair_keys_by_place(
        self,
        columns: tuple[str, ...],
        codes_of_series: np.ndarray,
        rows_by_place: np.ndarray,
        published: np.ndarray,
        located: pa.Array,
        matched: pa.Array,
    ) -> np.ndarray:
        """``_pair_keys`` without a join (see ``_rows_by_place``): each published row (its series' code in
        ``published``, its period's place in ``located``, null for a period the submission does not have)
        looks its key up in the table, a million at a time."""
        count = len(codes_of_series)
        width = len(rows_by_place) // count
        order = None if bool(np.all(codes_of_series[1:] > codes_of_series[:-1])) else np.argsort(codes_of_series)
        ordered = codes_of_series if order is None else codes_of_series[order]  # series numbered in code order
        alone = []
        history_rows, submitted_rows = np.empty(len(published), np.int32), np.empty(len(published), np.int32)
        pairs = 0  # filled in place: the pairs are never held twice (a list of parts, then joined)
        positions = matched.to_numpy(zero_copy_only=False)
        for low in range(0, len(published), CHUNK_ROWS):
            part = published[low : low + CHUNK_ROWS]
            found = np.minimum(np.searchsorted(ordered, part), count - 1)
            periods = located.slice(low, len(part))
            known = ordered[found] == part
            known &= pc.is_valid(periods).to_numpy(zero_copy_only=False)
            place = (found if order is None else order[found]).astype(np.int32)
            del found
            place *= width
            add_indices(place, periods, 0)
            row = np.where(known, rows_by_place[place], -1)
            del place, known
            paired = row >= 0
            found_pairs = int(np.count_nonzero(paired))
            history_rows[pairs : pairs + found_pairs] = positions[low : low + len(part)][paired]
            submitted_rows[pairs : pairs + found_pairs] = row[paired]
            pairs += found_pairs
            alone.append(np.flatnonzero(~paired) + low)
        compact = pairs < len(published) // 2  # few pairs: not a table of every published row kept for them
        kept_history, kept_submitted = history_rows[:pairs], submitted_rows[:pairs]
        self._pairs[columns] = (
            (kept_history.copy(), kept_submitted.copy()) if compact else (kept_history, kept_submitted)
        )
        del history_rows, submitted_rows
        release_free_memory()  # the chunks' temporaries, before the series are checked
        return np.concatenate(alone) if alone else np.zeros(0, np.int64)

    def _pair_keys(
        self, columns: tuple[str, ...], keys: tuple[np.ndarray, np.ndarray], matched: pa.Array
    ) -> np.ndarray:
        """The positions (in ``matched``) of the published rows whose key no submitted row has; the pairs of
        published and submitted rows with one key are kept for the revisions rule (one join for both).
        Joined a share of the keys at a time (by their remainder), so that the join's hash table holds about
        ``JOIN_SHARE_ROWS`` rows at most."""
        parts = max(1, -(-max(len(keys[0]), len(keys[1])) // JOIN_SHARE_ROWS))
        found_past, found_submitted = [], []
        submitted_rows = pa.table({"k": keys[0], "pos": np.arange(len(keys[0]), dtype=np.int32)})
        published_rows = pa.table({"k": keys[1], "pos": np.arange(len(keys[1]), dtype=np.int32)})
        for part in range(parts):  # each share chosen by DuckDB as it scans (no copies of the keys), on a
            pairs = self._sql(  # connection of its own: the share's hash table freed before the next one
                "SELECT p.pos AS p, s.pos AS s FROM (FROM past WHERE k % ? = ?) p "
                "LEFT JOIN (FROM frame WHERE k % ? = ?) s USING (k)",
                [parts, part, parts, part],
                frame=submitted_rows,
                past=published_rows,
            )
            found_past.append(np.asarray(pairs.column("p").to_numpy(), np.int32))
            found_submitted.append(np.asarray(pairs.column("s").fill_null(-1).to_numpy(), np.int32))
            del pairs
        del submitted_rows, published_rows
        past_rows = np.concatenate(found_past)
        submitted = np.concatenate(found_submitted)
        del found_past, found_submitted
        alone = submitted < 0
        paired = ~alone
        history_rows = matched.to_numpy(zero_copy_only=False)[past_rows[paired]].astype(np.int32, copy=False)
        self._pairs[columns] = (history_rows, submitted[paired])
        del submitted, paired
        return np.sort(past_rows[alone])

    def series_anomalies(
        self,
        series: Sequence[str],
        period: str,
        value: str,
        history: Columns | None,
        z_limit: float,
        jump: float,
    ) -> pa.Table:
        """Submitted rows that are outliers of their series (modified z-score above ``z_limit``, against the
        series' published history plus the submission) or that jump by ``jump`` times or more from the
        previous period: ``value``, ``previous``, ``n`` (the series' length), ``z``, ``outlier``, ``jump``.

        A published observation counts unless the submission has the same series and period.
        """
        index, values = self._with_history(series, period, value, history)
        usable = (index.length > 0) & ~np.isnan(values) & index.kept_published()
        everything = bool(usable.all())  # the usual case: the arrays as they are, no copies
        chosen = slice(None) if everything else np.flatnonzero(usable)
        stats = self._sql(
            """
            WITH medians AS (SELECT sid, median(v) AS med FROM frame GROUP BY sid)
            SELECT sid, any_value(med) AS med, median(abs(v - med)) AS mad, count(*) AS n
            FROM frame JOIN medians USING (sid) GROUP BY sid
            """,
            frame=pa.table({"sid": index.series[chosen], "v": values[chosen]}),
        )
        del chosen
        previous = index.previous(values, usable)  # after the medians: not held while DuckDB works
        groups = int(index.series.max()) + 1 if len(index.series) else 0
        median, mad, count = np.full(groups, np.nan), np.full(groups, np.nan), np.zeros(groups, np.int64)
        sids = stats.column("sid").to_numpy()
        median[sids] = stats.column("med").to_numpy()
        mad[sids] = stats.column("mad").to_numpy()
        count[sids] = stats.column("n").to_numpy()
        rows: slice | np.ndarray = slice(0, self.rows)
        if not everything and not usable[: self.rows].all():
            rows = np.flatnonzero(usable[: self.rows])
        v, before, sid = values[rows], previous[rows], index.series[rows]
        outliers, jumps = np.empty(len(v), bool), np.empty(len(v), bool)
        for part in (slice(low, low + CHUNK_ROWS) for low in range(0, len(v), CHUNK_ROWS)):  # few temporaries
            part_sid = sid[part]
            outliers[part] = _outliers(v[part], median[part_sid], mad[part_sid], z_limit)
            jumps[part] = _jumps(v[part], before[part], jump)
        flagged = np.flatnonzero(outliers | jumps)
        v, before, sid = v[flagged], before[flagged], sid[flagged]
        centre, spread = median[sid], mad[sid]
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(spread > 0, 0.6745 * (v - centre) / spread, np.nan)
        return self._rows(
            pa.array(flagged if isinstance(rows, slice) else rows[flagged]),
            value=pa.array(v),
            previous=pa.array(before, from_pandas=True),
            n=pa.array(count[sid]),
            z=pa.array(z, from_pandas=True),
            outlier=pa.array(outliers[flagged]),
            jump=pa.array(jumps[flagged]),
        )

    def missing_periods(self, series: Sequence[str], period: str) -> pa.Table:
        """Series with holes: for each series of one frequency, the periods missing between its first and
        last submitted period (monthly, quarterly or annual)."""
        index = self._index(series, period)
        runs = index.first_of_runs(index.length > 0)
        # every row a period of its own (no repeats): the arrays as they are, not copies
        firsts: np.ndarray | slice = slice(None) if len(runs) == self.rows else runs
        row_numbers = self.row_numbers.to_numpy()
        found = self._sql(
            """
            SELECT arg_min(pos, r) AS pos, months, min(start) AS lo, max(start) AS hi, count(*) AS n
            FROM frame GROUP BY sid, months HAVING (max(start) - min(start)) // months + 1 > count(*)
            """,
            frame=pa.table(
                {
                    "sid": index.series[firsts],
                    "start": index.start[firsts],
                    "months": index.length[firsts],
                    "r": row_numbers[firsts],
                    "pos": np.arange(self.rows, dtype=np.int32) if isinstance(firsts, slice) else firsts,
                }
            ),
        )
        positions = found.column("pos").combine_chunks()
        lo, hi = found.column("lo").to_numpy(), found.column("hi").to_numpy()
        months, counts = found.column("months").to_numpy(), found.column("n").to_numpy()
        return self._rows(
            positions,
            series=self._key_text(series, positions),
            months=pa.array(months),
            missing=pa.array((hi - lo) // months + 1 - counts),
        )

    def revisions(self, keys: Sequence[str], value: str, published: Columns, first: int) -> tuple[pa.Table, int]:
        """How many rows change an already-published value, and the ``first`` of them by ``_row``: the old
        and the new value, and ``pos`` (for ``key_text``: the key is written out only for the rows reported).
        Counted as they are found: a file revising every value is never held twice."""
        if tuple(keys) in self._pairs:  # asked for once: not held longer
            return self._revised(value, published, tuple(keys), first)
        submitted, past_codes, matched = self._codes_with(keys, published)
        frame = pa.table({"k": submitted, "v": self._number(value), "r": self.row_numbers, "pos": np.arange(self.rows)})
        past = pa.table({"k": past_codes, "v": _rows_of(published.column(value), matched).cast(pa.float64())})
        found = self._sql(
            "SELECT count(*) AS n, arg_min({'pos': s.pos, 'old_value': p.v, 'new_value': s.v}, s.r, ?) AS first "
            "FROM frame s JOIN past p USING (k) WHERE s.v IS DISTINCT FROM p.v",
            [max(first, 1)],
            frame=frame,
            past=past,
        )
        count = found.column("n")[0].as_py()
        shown = pa.table(pa.array(found.column("first")[0].as_py() or [], FIRST_REVISIONS))
        positions = shown.column("pos").combine_chunks()
        table = self._rows(
            positions,
            pos=positions,
            old_value=shown.column("old_value").combine_chunks(),
            new_value=shown.column("new_value").combine_chunks(),
        )
        return table.slice(0, first), count

    def _revised(self, value: str, published: Columns, keys: tuple[str, ...], first: int) -> tuple[pa.Table, int]:
        """``revisions`` from the pairs of rows with one key (``_pair_keys``, taken from the memo and dropped
        as soon as they are used): the values compared as ``IS DISTINCT FROM`` compares them (a missing
        value differs from any number, NaN equals NaN)."""
        history_rows, submitted = self._pairs.pop(keys)
        old_valid, old_values = _floats(published.column(value).take(pa.array(history_rows)).cast(pa.float64()))
        del history_rows
        new_valid, new_values = _floats(self._number(value).take(pa.array(submitted)))
        differ = new_values != old_values
        both_nan = np.isnan(new_values)
        both_nan &= np.isnan(old_values)
        differ &= ~both_nan
        differ &= new_valid & old_valid
        differ |= new_valid != old_valid
        del new_valid, new_values, both_nan  # the few new values reported are taken again below
        chosen, count = self._first_rows(differ, submitted, first)
        del differ
        positions = pa.array(submitted[chosen].astype(np.int64))
        table = self._rows(
            positions,
            pos=positions,
            old_value=pa.array(old_values[chosen], mask=~old_valid[chosen]),
            new_value=self._number(value).take(positions),
        )
        return table, count

    def _first_rows(self, found: np.ndarray, positions: np.ndarray, first: int) -> tuple[np.ndarray, int]:
        """Of the places where ``found`` is true, the ``first`` whose rows (``positions``) come first in the
        file, and how many places there are: looked through a million at a time, so that a file revising
        every value never lists them all."""
        row_numbers = self.row_numbers.to_numpy()
        chosen, count = np.zeros(0, np.int64), 0
        for low in range(0, len(found), CHUNK_ROWS):
            part = np.flatnonzero(found[low : low + CHUNK_ROWS])
            part += low
            count += len(part)
            chosen = np.concatenate([chosen, part]) if first > 0 else chosen
            if len(chosen) > first:
                chosen = chosen[np.argpartition(row_numbers[positions[chosen]], first - 1)[:first]]
        return chosen, count

    def key_text(self, columns: Sequence[str], rows: pa.Table) -> pa.Table:
        """``rows`` (a check's result with ``pos``) with ``key``: the values of ``columns`` joined by dots."""
        return rows.append_column("key", self._key_text(columns, rows.column("pos").combine_chunks()))
