"""One service call per page or endpoint: the catalog of released dataflows and selections of their data.

The catalog is given only ``PublishedData``, the door that hands out releases in force and their files, so
unpublished versions cannot be read here.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pivgm import __version__
from pivgm.catalog.highlights import Highlight, load_highlights
from pivgm.catalog.published import PublishedData
from pivgm.errors import InvalidParameterError, NotFoundError, in_both
from pivgm.model import Dataflow
from pivgm.model.periods import parse_period
from pivgm.model.releases import ReleaseInfo
from pivgm.structures import Standard
from pivgm.warehouse import DataQuery

if TYPE_CHECKING:  # Arrow loads with the first data answer, not for a list of dataflows (`pivgm flows`)
    import pyarrow as pa

ALL = "*"  # a dimension's every code, as the explorer writes it in its addresses (`CITIZENSHIP=*`)

RELEASE_CACHE_SECONDS = 1.0


@dataclass(frozen=True)
class DataflowSummary:
    dataflow: Dataflow
    release: ReleaseInfo | None
    first_period: str | None = None
    last_period: str | None = None
    providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublicationState:
    """What public answers show, in brief: a tag that changes with every publication (and every software
    version, as formats may change), and the time of the latest publication in force."""

    tag: str
    last_published: datetime | None


@dataclass(frozen=True)
class DataSelection:
    """What a user asked for: codes per dimension, a period range, a page."""

    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    start: str | None = None
    end: str | None = None
    limit: int | None = None
    offset: int = 0
    as_of: datetime | None = None  # the data as published at that moment (revisions); never after now


@dataclass(frozen=True)
class HighlightView:
    summary: DataflowSummary
    highlight: Highlight | None
    data: DataView | None


@dataclass(frozen=True)
class DataView:
    dataflow: Dataflow
    release: ReleaseInfo
    table: pa.Table
    total: int
    selection: DataSelection


def as_of_moment(value: datetime) -> datetime:
    """``value`` in UTC (naive means UTC), or a clear error when no UTC moment can represent it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidParameterError(
            f"asOf {value.isoformat()} is outside the years 1 to 9999 once converted to UTC; "
            "write a moment such as 2024-06-30T00:00:00Z.",
            parameter="asOf",
        ) from None


class Catalog:
    """Published dataflows and their data, for every front end (HTML, JSON, CSV, SDMX)."""

    def __init__(self, published: PublishedData) -> None:
        self.published = published
        self._releases: dict[str, ReleaseInfo] = {}
        self._fetched_at = float("-inf")
        self._next_change: datetime | None = None
        self._lock = threading.Lock()

    @property
    def standard(self) -> Standard:
        return self.published.standard

    def releases(self, as_of: datetime | None = None) -> dict[str, ReleaseInfo]:
        """Releases in force now (or as published at ``as_of``, which is never later than now).

        The current set is re-read at most once a second, so every worker sees a new release fast, and at
        once when an embargo ends, so embargoed data appear exactly at their release time. A future
        ``as_of`` reads as now: the public read side never sees an embargoed release early.
        """
        now = self.published.now()
        as_of = as_of_moment(as_of) if as_of is not None else None  # a naive moment is UTC, as in the data API
        if as_of is not None and as_of < now:
            return self.published.releases(as_of)
        with self._lock:
            stale = time.monotonic() - self._fetched_at > RELEASE_CACHE_SECONDS
            if stale or (self._next_change is not None and now >= self._next_change):
                self._releases = self.published.releases(now)
                self._next_change = self.published.next_release_time(now)
                self._fetched_at = time.monotonic()
            return self._releases

    def publication_state(self) -> PublicationState:
        """The releases in force now, in brief (HTTP validators of public answers are made of it). Built from
        published releases only: a draft, or an embargoed release before its time, changes nothing."""
        releases = sorted(self.releases().values(), key=lambda r: r.id)
        text = ";".join(f"{r.dataflow_id}:{r.id}:{r.published_at.isoformat()}" for r in releases)
        tag = hashlib.sha256(f"{__version__};{text}".encode()).hexdigest()[:24]
        return PublicationState(tag, max((r.published_at for r in releases), default=None))

    def _release(self, dataflow: Dataflow, as_of: datetime | None = None) -> ReleaseInfo:
        release = self.releases(as_of).get(dataflow.id)
        if release is None:
            when = f" on {as_of.isoformat()}" if as_of else " yet"
            raise NotFoundError(f"Dataflow {dataflow.id!r} had no published data{when}.", dataflow=dataflow.id)
        return release

    def summaries(self) -> list[DataflowSummary]:
        return [self.summary(dataflow_id) for dataflow_id in sorted(self.standard.dataflows)]

    def summary(self, dataflow_id: str) -> DataflowSummary:
        dataflow = self.standard.dataflow(dataflow_id)
        release = self.releases().get(dataflow_id)
        if release is None:
            return DataflowSummary(dataflow, None)
        path = self.published.release_file(release)
        first, last = self.published.reader.period_range(path) or (None, None)
        providers = tuple(v.provider_id for v in self.published.members(release))
        return DataflowSummary(dataflow, release, first, last, providers)

    def code_counts(self, dataflow_id: str) -> dict[str, dict[str, int]]:
        """For each dimension, the codes that have data and how many observations each has."""
        dataflow = self.standard.dataflow(dataflow_id)
        release = self.releases().get(dataflow_id)
        if release is None:
            return {}
        path = self.published.release_file(release)
        return {d: self.published.reader.code_counts(path, d) for d in dataflow.structure.dimension_ids}

    def _query(self, dataflow: Dataflow, selection: DataSelection) -> DataQuery:
        structure = dataflow.structure
        for dimension_id, codes in selection.filters.items():
            dimension = structure.dimension(dimension_id)
            if dimension is None:
                listed = ", ".join(structure.dimension_ids)
                raise InvalidParameterError(
                    f"{dataflow.id} has no dimension {dimension_id!r}; its dimensions are {listed}.",
                    parameter=dimension_id,
                    **in_both(
                        f"{dataflow.id} no tiene la dimensión «{dimension_id}»; sus dimensiones son {listed}.",
                        f"{dataflow.id} has no dimension {dimension_id!r}; its dimensions are {listed}.",
                    ),
                )
            if ALL in codes:
                continue  # `*`: every code, as in the explorer's addresses
            if dimension.codelist is not None:
                unknown = [c for c in codes if c not in dimension.codelist]
                if unknown:
                    codelist = dimension.codelist.id
                    raise NotFoundError(
                        f"Code {unknown[0]!r} is not in {codelist}, the codelist of {dimension_id}.",
                        parameter=dimension_id,
                        value=unknown[0],
                        **in_both(
                            f"El código «{unknown[0]}» no está en {codelist}, la lista de códigos de {dimension_id}: "
                            "quítelo de la dirección o elija uno de la lista.",
                            f"Code {unknown[0]!r} is not in {codelist}, the codelist of {dimension_id}: remove it "
                            "from the address or choose one from the list.",
                        ),
                    )
        start = parse_period(selection.start).start if selection.start else None
        end = parse_period(selection.end).end if selection.end else None
        if start and end and start > end:
            raise InvalidParameterError(
                f"The period range is empty: {selection.start} is after {selection.end}.", parameter="from"
            )
        return DataQuery(
            filters={d: codes for d, codes in selection.filters.items() if ALL not in codes},
            start=start,
            end=end,
            limit=selection.limit,
            offset=selection.offset,
        )

    def query_for(self, dataflow: Dataflow, selection: DataSelection | None = None) -> DataQuery:
        """The checked warehouse query for ``selection``: the one ``data`` runs (the explorer counts with it)."""
        return self._query(dataflow, selection or DataSelection())

    def seen_at(self, as_of: datetime | None) -> datetime | None:
        """The moment an ``as_of`` request shows: itself if past, now if future (None: the current data)."""
        return None if as_of is None else min(as_of_moment(as_of), self.published.now())

    def data(self, dataflow_id: str, selection: DataSelection) -> DataView:
        """Observations of the release in force (at ``selection.as_of``, clamped to now), in key order."""
        from pivgm.warehouse.merge import LAST_UPDATED  # with Arrow, which only data answers need

        selection = replace(selection, as_of=self.seen_at(selection.as_of))
        dataflow = self.standard.dataflow(dataflow_id)
        query = self._query(dataflow, selection)
        release = self._release(dataflow, selection.as_of)
        path = self.published.release_file(release)
        structure = dataflow.structure
        keys = [*structure.dimension_ids, "TIME_PERIOD_START"]
        columns = list(structure.column_ids)
        if LAST_UPDATED in self.published.reader.columns(path):
            columns.append(LAST_UPDATED)  # when each observation was last revised
        table = self.published.reader.observations(path, columns, query, keys)
        short_page = selection.limit is None or table.num_rows < selection.limit
        if short_page and (table.num_rows or not selection.offset):
            total = selection.offset + table.num_rows  # the last page: nothing to count
        else:
            total = self.published.reader.count(path, query)
        return DataView(dataflow, release, table, total, selection)

    def json_rows(self, table: pa.Table) -> pa.ChunkedArray | None:
        """Each row of an observations table as ``,`` and its JSON object, written off the interpreter's
        lock; null for a row the caller must encode itself, None when it must encode them all."""
        return self.published.reader.json_rows(table)

    def csv_rows(self, table: pa.Table) -> pa.ChunkedArray | None:
        """Each row of an observations table as its CSV line, written off the interpreter's lock; null for
        a row the caller must write itself, None when it must write them all."""
        return self.published.reader.csv_rows(table)

    def totals(
        self, dataflow_id: str, group_by: Sequence[str], selection: DataSelection, annual: bool = False
    ) -> DataView:
        """Sums of the selection by ``group_by`` (for charts and headline figures)."""
        selection = replace(selection, as_of=self.seen_at(selection.as_of))
        dataflow = self.standard.dataflow(dataflow_id)
        valid = {*dataflow.structure.dimension_ids, dataflow.structure.time_dimension}
        bad = [g for g in group_by if g not in valid]
        if bad:
            raise InvalidParameterError(f"Cannot group {dataflow.id} by {bad[0]!r}.", parameter="group_by")
        query = self._query(dataflow, selection)
        release = self._release(dataflow, selection.as_of)
        path = self.published.release_file(release)
        table = self.published.reader.totals(path, group_by, query, annual)
        return DataView(dataflow, release, table, table.num_rows, selection)

    def highlights(self) -> list[HighlightView]:
        """The home page: each published dataflow with its headline series."""
        views = []
        for summary in self.summaries():
            highlight = load_highlights().get(summary.dataflow.id)
            if summary.release is None or highlight is None:
                views.append(HighlightView(summary, highlight, None))
                continue
            selection = DataSelection(filters=highlight.filters, start=highlight.start)
            group_by = ["TIME_PERIOD", *([highlight.series] if highlight.series else [])]
            data = self.totals(summary.dataflow.id, group_by, selection, annual=highlight.annual)
            views.append(HighlightView(summary, highlight, data))
        return views
