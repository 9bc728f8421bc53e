"""Which figures of a view cannot be told apart: survey estimates whose 90 % confidence intervals overlap,
and differences between groups whose interval includes zero.

Two estimates whose intervals (value ± margin of error) overlap may not differ in a statistically
significant way; a page says so next to the chart, so a reader does not rank groups the survey cannot rank.
A code annotated ``difference: "true"`` (CL_COMPARISON) makes its figures differences between groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from pivgm.catalog.grid import Cell, Grid, Key
from pivgm.catalog.state import ExplorerState
from pivgm.catalog.views import Ranking, SeriesChart, Shape
from pivgm.model import Dataflow

MAX_PAIRS = 12


@dataclass(frozen=True)
class Overlap:
    """Two figures of the same period whose 90 % confidence intervals overlap."""

    dimensions: tuple[str, ...]
    first: Key
    second: Key
    period: str
    first_cell: Cell
    second_cell: Cell


def overlapping(first: Cell, second: Cell) -> bool:
    """Whether two intervals value ± moe share a point (False when either margin is unknown)."""
    a, b = first.interval, second.interval
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


def _pairs(grid: Grid, entries: Sequence[tuple[Key, str, Cell]]) -> list[Overlap]:
    found = []
    for (key_a, period_a, a), (key_b, period_b, b) in combinations(entries, 2):
        if period_a == period_b and overlapping(a, b):
            found.append(Overlap(grid.dimensions, key_a, key_b, period_a, a, b))
    return found[:MAX_PAIRS]


def overlaps(shape: Shape | None) -> tuple[Overlap, ...]:
    """Pairs of series (at the latest period they share, within a panel) or of ranked figures whose
    intervals overlap; empty for figures without margins of error."""
    if isinstance(shape, SeriesChart):
        grid = shape.grid
        found: list[Overlap] = []
        for panel in dict.fromkeys(s.panel for s in shape.series):
            series = [s.key for s in shape.series if s.panel == panel]
            shared = [p for p in grid.periods if all((k, p) in grid.cells for k in series)]
            if len(series) < 2 or not shared:
                continue
            latest = shared[-1]
            found += _pairs(grid, [(k, latest, grid.cells[(k, latest)]) for k in series])
        return tuple(found[:MAX_PAIRS])
    if isinstance(shape, Ranking):
        return tuple(_pairs(shape.grid, [(e.key, e.period, e.cell) for e in shape.entries[: shape.shown]]))
    return ()


@dataclass(frozen=True)
class Insignificant:
    """A difference between groups whose 90 % interval includes zero."""

    dimensions: tuple[str, ...]
    key: Key
    period: str
    cell: Cell


def _latest(shape: Shape | None) -> list[tuple[Grid, Key, str, Cell]]:
    if isinstance(shape, SeriesChart):
        found = []
        for series in shape.series:
            points = shape.grid.series(series.key)
            if points:
                found.append((shape.grid, series.key, *points[-1]))
        return found
    if isinstance(shape, Ranking):
        return [(shape.grid, e.key, e.period, e.cell) for e in shape.entries[: shape.shown]]
    return []


def _is_difference(dataflow: Dataflow, state: ExplorerState, dimensions: Sequence[str], key: Key) -> bool:
    """Whether a figure is a difference: a code of its key, or every selected code of a dimension it adds up or
    holds fixed, is annotated as one."""
    for dimension in dataflow.structure.dimensions:
        codelist = dimension.codelist
        if codelist is None:
            continue
        codes = [key[dimensions.index(dimension.id)]] if dimension.id in dimensions else state.filters.get(dimension.id)
        found = [codelist.get(code) for code in codes or ()]
        if found and all(c is not None and c.annotations.get("difference") == "true" for c in found):
            return True
    return False


def insignificant_differences(
    dataflow: Dataflow, state: ExplorerState, shape: Shape | None
) -> tuple[Insignificant, ...]:
    """The latest differences of each series (or ranked differences) whose 90 % interval includes zero."""
    found = []
    for grid, key, period, cell in _latest(shape):
        interval = cell.interval
        spans_zero = interval is not None and interval[0] <= 0 <= interval[1]
        if spans_zero and _is_difference(dataflow, state, grid.dimensions, key):
            found.append(Insignificant(grid.dimensions, key, period, cell))
    return tuple(found[:MAX_PAIRS])
