"""A cross-tabulation of a grid: chosen dimensions (and the period) in rows and columns, with totals.

Totals are given only where adding up is meaningful: one unit, no total code (_T) among the codes added,
and, across periods, only for data whose periods may be added up (flows, not stocks or rates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pivgm.catalog.grid import TIME, TOTAL, Cell, Grid, Key, add_up


@dataclass(frozen=True)
class Crosstab:
    row_dimensions: tuple[str, ...]
    column_dimensions: tuple[str, ...]
    rows: tuple[Key, ...]
    columns: tuple[Key, ...]
    cells: dict[tuple[Key, Key], Cell]
    row_totals: dict[Key, Cell] | None
    column_totals: dict[Key, Cell] | None
    grand_total: Cell | None

    def cell(self, row: Key, column: Key) -> Cell | None:
        return self.cells.get((row, column))


def _project(full: Key, dimensions: Sequence[str], wanted: Sequence[str]) -> Key:
    index = {d: i for i, d in enumerate(dimensions)}
    return tuple(full[index[d]] for d in wanted)


def _additive(dimensions: Sequence[str], keys: Sequence[Key], time_additive: bool) -> bool:
    """May the cells along these dimensions be added up?"""
    if not dimensions:
        return False
    if TIME in dimensions and not time_additive:
        return False
    return not any(TOTAL in key for key in keys)


def build_crosstab(
    grid: Grid, row_dimensions: Sequence[str], column_dimensions: Sequence[str], time_additive: bool
) -> Crosstab:
    """Arrange ``grid`` with ``row_dimensions`` down and ``column_dimensions`` across (either may hold
    TIME_PERIOD); every grid dimension must be in one of them."""
    dimensions = (*grid.dimensions, TIME)
    cells: dict[tuple[Key, Key], Cell] = {}
    rows: dict[Key, None] = {}
    columns: dict[Key, None] = {}
    ordered_keys = [(key, period) for key in grid.keys for period in grid.periods]
    for key, period in ordered_keys:
        cell = grid.cells.get((key, period))
        if cell is None:
            continue
        full = (*key, period)
        row = _project(full, dimensions, row_dimensions)
        column = _project(full, dimensions, column_dimensions)
        cells[(row, column)] = cell
        rows[row] = None
        columns[column] = None
    column_index, row_index = _indexes(column_dimensions, grid), _indexes(row_dimensions, grid)
    column_order = sorted(columns, key=lambda c: _position(c, column_index))
    row_order = sorted(rows, key=lambda r: _position(r, row_index))
    single_unit = len(grid.units()) == 1 and len(grid.multipliers()) == 1
    across = single_unit and _additive(column_dimensions, column_order, time_additive)
    down = single_unit and _additive(row_dimensions, row_order, time_additive)
    row_totals = (
        {r: t for r in row_order if (t := add_up(cells[(r, c)] for c in column_order if (r, c) in cells))}
        if across
        else None
    )
    column_totals = (
        {c: t for c in column_order if (t := add_up(cells[(r, c)] for r in row_order if (r, c) in cells))}
        if down
        else None
    )
    grand = add_up(cells.values()) if across and down else None
    return Crosstab(
        tuple(row_dimensions),
        tuple(column_dimensions),
        tuple(row_order),
        tuple(column_order),
        cells,
        row_totals,
        column_totals,
        grand,
    )


def _indexes(dimensions: Sequence[str], grid: Grid) -> list[dict[str, int]]:
    """For each dimension, the position of each code in the grid's order (periods in time order)."""
    indexes: list[dict[str, int]] = []
    for d in dimensions:
        if d == TIME:
            indexes.append({p: i for i, p in enumerate(grid.periods)})
            continue
        position = grid.dimensions.index(d)
        seen: dict[str, int] = {}
        for key in grid.keys:
            seen.setdefault(key[position], len(seen))
        indexes.append(seen)
    return indexes


def _position(key: Key, indexes: list[dict[str, int]]) -> tuple[int, ...]:
    return tuple(index.get(code, 0) for index, code in zip(indexes, key, strict=True))
