"""The explorer service: one call turns a URL's parameters into everything an explorer page shows.

The observations come from ``Catalog.data`` with the selection the data API builds for the same query, so a
page, its downloads and the API always agree; the explorer only adds facet counts and arranges the rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pivgm.catalog.explorer_config import ExplorerDefaults, explorer_defaults
from pivgm.catalog.fitting import Counts, fit_state, offered_views
from pivgm.catalog.grid import Grid, build_grid
from pivgm.catalog.service import Catalog, DataflowSummary, DataView
from pivgm.catalog.state import ExplorerState, ViewKind, parse_state
from pivgm.catalog.uncertainty import Insignificant, Overlap, insignificant_differences, overlaps
from pivgm.catalog.views import BUILDERS, Problem, Shape, ViewContext
from pivgm.errors import NotFoundError, in_both
from pivgm.model import Dataflow
from pivgm.model.releases import ReleaseInfo
from pivgm.warehouse.explore import ExplorerQueries

MAX_OBSERVATIONS = 200_000


@dataclass(frozen=True)
class ExplorerView:
    """An explorer page: the dataflow, its state, counts per code, the periods, the data and the view."""

    summary: DataflowSummary
    defaults: ExplorerDefaults
    state: ExplorerState
    facets: dict[str, dict[str, int]]
    periods: tuple[str, ...]
    observations: int
    data: DataView | None
    shape: Shape | None
    problem: Problem | None
    summed: tuple[str, ...] = ()
    double_counted: tuple[str, ...] = ()
    grid: Grid | None = None  # the figures the view shows (its split, with the other dimensions added up)

    @property
    def overlaps(self) -> tuple[Overlap, ...]:
        """Figures of the view whose 90 % confidence intervals overlap (survey estimates only)."""
        return overlaps(self.shape)

    @property
    def insignificant(self) -> tuple[Insignificant, ...]:
        """Differences between groups in the view whose 90 % interval includes zero."""
        return insignificant_differences(self.dataflow, self.state, self.shape)

    @property
    def dataflow(self) -> Dataflow:
        return self.summary.dataflow


def code_order(dataflow: Dataflow) -> dict[str, dict[str, int]]:
    """Each dimension's codes in codelist order (tables and legends follow it)."""
    order: dict[str, dict[str, int]] = {}
    for dimension in dataflow.structure.dimensions:
        if dimension.codelist is not None:
            order[dimension.id] = {c.id: i for i, c in enumerate(dimension.codelist)}
    unit = dataflow.structure.attribute("UNIT_MEASURE")
    if unit is not None and unit.codelist is not None:
        order["UNIT_MEASURE"] = {c.id: i for i, c in enumerate(unit.codelist)}
    return order


def _selected_codes(counts: Mapping[str, int], chosen: Sequence[str]) -> list[str]:
    return [code for code, n in counts.items() if n and (not chosen or code in chosen)]


def _selected_count(counts: Mapping[str, int], chosen: Sequence[str]) -> list[int]:
    return [n for code, n in counts.items() if not chosen or code in chosen]


class Explorer:
    """Explorer pages over the catalog's releases in force."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.queries = ExplorerQueries(catalog.published.reader)
        self._release_counts: dict[str, dict[str, dict[str, int]]] = {}
        self._summaries: dict[int, DataflowSummary] = {}
        self._lock = threading.Lock()

    def _counts(self, dataflow: Dataflow, release: ReleaseInfo) -> dict[str, dict[str, int]]:
        """Observations per code in the whole release (kept: releases are immutable)."""
        with self._lock:
            known = self._release_counts.get(release.parquet_file)
        if known is None:
            path = self.catalog.published.release_file(release)
            known = self.queries.facets(path, dataflow.structure.dimension_ids, self.catalog.query_for(dataflow))
            with self._lock:
                self._release_counts[release.parquet_file] = known
        return known

    def view(self, dataflow_id: str, query: Mapping[str, Sequence[str]]) -> ExplorerView:
        """The explorer page for ``query`` (URL parameters, each with all its values)."""
        summary = self._summary(dataflow_id)
        return self.view_state(summary, self._parse(summary, query))

    def state(self, dataflow_id: str, query: Mapping[str, Sequence[str]]) -> ExplorerState:
        """The state ``query`` describes, with defaults filled in (to redirect to its canonical URL)."""
        return self._parse(self._summary(dataflow_id), query)

    def _parse(self, summary: DataflowSummary, query: Mapping[str, Sequence[str]]) -> ExplorerState:
        assert summary.release is not None
        counts = self._counts(summary.dataflow, summary.release)
        return parse_state(summary.dataflow, query, explorer_defaults(summary.dataflow), counts)

    def summary(self, dataflow_id: str) -> DataflowSummary:
        """The catalog's summary of a dataflow, kept per release (its periods come from the explorer's own
        list of periods, so a large release is not scanned again on every page)."""
        dataflow = self.catalog.standard.dataflow(dataflow_id)
        release = self.catalog.releases().get(dataflow_id)
        if release is None:
            return DataflowSummary(dataflow, None)
        with self._lock:
            known = self._summaries.get(release.id)
        if known is None:
            periods = self.queries.periods(self.catalog.published.release_file(release))
            versions = self.catalog.published.members(release)
            first, last = (periods[0], periods[-1]) if periods else (None, None)
            known = DataflowSummary(dataflow, release, first, last, tuple(v.provider_id for v in versions))
            with self._lock:
                self._summaries[release.id] = known
        return known

    def _summary(self, dataflow_id: str) -> DataflowSummary:
        summary = self.summary(dataflow_id)
        if summary.release is None:
            raise NotFoundError(
                f"Dataflow {dataflow_id!r} has no published data yet.",
                dataflow=summary.dataflow.id,
                **in_both(
                    f"{summary.dataflow.name.get('es')} ({dataflow_id}) aún no tiene datos publicados.",
                    f"{summary.dataflow.name.get('en')} ({dataflow_id}) has no published data yet.",
                ),
            )
        return summary

    def release_counts(self, dataflow_id: str) -> dict[str, dict[str, int]]:
        """Observations per code of each dimension in the release in force (empty if none)."""
        summary = self.summary(dataflow_id)
        if summary.release is None:
            return {}
        return self._counts(summary.dataflow, summary.release)

    def tabs(self, view: ExplorerView) -> tuple[tuple[ViewKind, ExplorerState], ...]:
        """The views the dataflow offers, each with the state its tab opens on (fitted to draw a chart)."""
        summary = view.summary
        assert summary.release is not None
        dataflow = summary.dataflow
        path = self.catalog.published.release_file(summary.release)
        counts = self._counts(dataflow, summary.release)

        def facets_of(state: ExplorerState, columns: Sequence[str]) -> Counts:
            return self.queries.facets(path, columns, self.catalog.query_for(dataflow, state.selection()))

        kinds = offered_views(dataflow, view.defaults, view.state, counts)
        return tuple(
            (
                kind,
                view.state
                if kind is view.state.view
                else fit_state(view.state, kind, dataflow, view.defaults, counts, facets_of),
            )
            for kind in kinds
        )

    def view_state(self, summary: DataflowSummary, state: ExplorerState) -> ExplorerView:
        """The explorer page for a state already read (profiles and the home page build theirs)."""
        dataflow = summary.dataflow
        assert summary.release is not None
        defaults = explorer_defaults(dataflow)
        data_query = self.catalog.query_for(dataflow, state.selection())
        path = self.catalog.published.release_file(summary.release)
        dimensions = dataflow.structure.dimension_ids
        facets = self.queries.facets(path, dimensions, data_query)
        periods = self.queries.periods(path)
        first = dimensions[0]
        observations = sum(_selected_count(facets[first], state.filters[first]))
        partial = partial_view(summary, defaults, state, facets, periods, observations)
        if observations > MAX_OBSERVATIONS:
            return partial(None, Problem("too-many-observations", observations, MAX_OBSERVATIONS))
        data = self.catalog.data(dataflow.id, state.selection())
        if not data.table.num_rows:
            return partial(data, Problem("no-data"))
        varying = tuple(d for d in dimensions if len(_selected_codes(facets[d], state.filters[d])) > 1)
        grids: dict[tuple[str, ...], Grid] = {}
        order = code_order(dataflow)

        def grid_for(split: Sequence[str]) -> Grid:
            key = tuple(split)
            if key not in grids:
                grids[key] = build_grid(data.table, key, dimensions, order)
            return grids[key]

        result = BUILDERS[state.view](ViewContext(state, defaults, varying, grid_for, dimensions))
        last = next(reversed(grids.values()), None)
        if isinstance(result, Problem):
            return partial(data, result)
        return ExplorerView(
            summary,
            defaults,
            state,
            facets,
            periods,
            observations,
            data,
            result,
            None,
            last.summed if last else (),
            last.double_counted if last else (),
            last,
        )


def partial_view(
    summary: DataflowSummary,
    defaults: ExplorerDefaults,
    state: ExplorerState,
    facets: dict[str, dict[str, int]],
    periods: tuple[str, ...],
    observations: int,
) -> Callable[[DataView | None, Problem], ExplorerView]:
    """An explorer page without a drawn view (too much data, no data, or a view that does not fit)."""

    def build(data: DataView | None, problem: Problem) -> ExplorerView:
        return ExplorerView(summary, defaults, state, facets, periods, observations, data, None, problem)

    return build
