"""Queries of the data explorer over a release: facet counts of a selection and the periods available.

They run on the same release files and connection as ``ReleaseReader`` (a cursor per
call), so the explorer and the data API read the very same rows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import replace
from pathlib import Path

from pivgm.warehouse.files import PERIOD_START
from pivgm.warehouse.query import DataQuery, ReleaseReader, _quote

FACETS_KEPT = 4096  # facet counts kept per worker (releases are immutable, so they never go stale)


class ExplorerQueries:
    """Facets and periods of releases, for filter panels ("how many observations has each code")."""

    def __init__(self, reader: ReleaseReader) -> None:
        self._reader = reader
        self._periods: dict[Path, tuple[str, ...]] = {}
        self._facets: OrderedDict[Hashable, dict[str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def facets(self, release_file: Path, dimensions: Sequence[str], query: DataQuery) -> dict[str, dict[str, int]]:
        """For each dimension, the observations of each code under the filters of every *other* dimension
        and the period range (the counts a filter panel shows next to each code).

        A dimension's counts do not depend on its own filter, so they are kept per release and filters of
        the other dimensions: moving through the countries of a dataflow recounts only what changed. The
        dimensions not known yet are counted in one statement."""
        counts: dict[str, dict[str, int]] = {}
        wanted: dict[str, Hashable] = {}
        for dimension in dimensions:
            others = tuple(sorted((d, tuple(codes)) for d, codes in query.filters.items() if d != dimension and codes))
            key: Hashable = (release_file, dimension, others, query.start, query.end)
            with self._lock:
                known = self._facets.get(key)
                if known is not None:
                    self._facets.move_to_end(key)
            if known is None:
                wanted[dimension] = key
            else:
                counts[dimension] = known
        if wanted:
            counted = self._count(release_file, list(wanted), query)
            with self._lock:
                for dimension, key in wanted.items():
                    self._facets[key] = counted[dimension]
                while len(self._facets) > FACETS_KEPT:
                    self._facets.popitem(last=False)
            counts.update(counted)
        return {d: counts[d] for d in dimensions}

    def _count(self, release_file: Path, dimensions: Sequence[str], query: DataQuery) -> dict[str, dict[str, int]]:
        table = self._reader._table(release_file)
        parts: list[str] = []
        parameters: list[object] = []
        for dimension in dimensions:
            others = {d: codes for d, codes in query.filters.items() if d != dimension}
            where, values = replace(query, filters=others).where()
            parts.append(
                f"SELECT ? AS dimension, CAST({_quote(dimension)} AS VARCHAR) AS code, count(*) AS n "
                f"FROM {table}{where} GROUP BY 2"
            )
            parameters += [dimension, *values]
        rows = self._reader._connection.cursor().execute(" UNION ALL ".join(parts), parameters).fetchall()
        counts: dict[str, dict[str, int]] = {d: {} for d in dimensions}
        for dimension, code, n in rows:
            counts[dimension][str(code)] = int(n)
        return counts

    def periods(self, release_file: Path) -> tuple[str, ...]:
        """Every period with data, in time order (shorter periods after longer ones starting the same day).

        Releases are immutable, so the answer is kept per file."""
        with self._lock:
            known = self._periods.get(release_file)
        if known is not None:
            return known
        table = self._reader._table(release_file)
        rows = (
            self._reader._connection.cursor()
            .execute(
                f"SELECT TIME_PERIOD FROM {table} GROUP BY TIME_PERIOD "
                f"ORDER BY min({PERIOD_START}), length(TIME_PERIOD)"
            )
            .fetchall()
        )
        periods = tuple(str(row[0]) for row in rows)
        with self._lock:
            self._periods[release_file] = periods
        return periods
