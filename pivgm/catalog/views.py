"""What each explorer view shows, built from a grid: series for charts, rankings for bars and maps, a
sex-by-age pyramid, origin-destination corridors, a cross-table. One builder per view kind (a registry).

A builder returns a shape, or a ``Problem`` saying why this selection cannot be drawn clearly and what would
fix it (narrower selection, adding a dimension up, another view).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from pivgm.catalog.crosstab import Crosstab, build_crosstab
from pivgm.catalog.explorer_config import ExplorerDefaults
from pivgm.catalog.grid import TIME, TOTAL, UNIT, Cell, Grid, Key, add_up
from pivgm.catalog.state import ExplorerState, Placement, ViewKind

MAX_SERIES = 24
TOP_SERIES = 9  # a stack of too many series draws the largest nine and "Others"
MAX_PANELS = 12
MAX_BARS = 30
MAX_CORRIDORS = 25  # lines a corridors map draws: the rest are added up as "Others", as in the table
MAX_TABLE_ROWS = 1000
MAX_TABLE_COLUMNS = 150
FEMALE, MALE = "F", "M"
OTHERS = "_OTHERS"  # not a code of any codelist: the codes a top-N leaves out, added up
ADDITIVE_UNITS = frozenset({"PS", "EVENTS"})  # counts of persons and events add up across places and groups


@dataclass(frozen=True)
class Fix:
    """A change of state that makes a view drawable: ``kind`` names it for the page (sum, narrow, table)."""

    kind: str
    dimension: str | None
    state: ExplorerState


@dataclass(frozen=True)
class Problem:
    """Why a view is not drawn: ``code`` is a message key; ``count`` of ``limit``; dimensions to change."""

    code: str
    count: int = 0
    limit: int = 0
    dimensions: tuple[str, ...] = ()
    fixes: tuple[Fix, ...] = ()


@dataclass(frozen=True)
class ChartSeries:
    key: Key
    colour: Key
    panel: Key


@dataclass(frozen=True)
class SeriesChart:
    """Line and bar charts: one series per key, coloured by ``colour_dimensions``, in panels by the rest."""

    grid: Grid
    colour_dimensions: tuple[str, ...]
    panel_dimensions: tuple[str, ...]
    series: tuple[ChartSeries, ...]


@dataclass(frozen=True)
class RankEntry:
    key: Key
    cell: Cell
    period: str  # a period, or "first/last" when summed over a range


@dataclass(frozen=True)
class Ranking:
    """One figure per key: summed over the period range (flows) or the latest period (stocks, rates)."""

    grid: Grid
    entries: tuple[RankEntry, ...]  # largest first
    summed_over_time: bool
    shown: int  # how many the chart draws (the table lists all)
    others: RankEntry | None = None  # the entries after ``shown`` added up, where counts add up


@dataclass(frozen=True)
class AreaMap:
    ranking: Ranking
    dimension: str


@dataclass(frozen=True)
class Pyramid:
    ranking: Ranking  # keys are (sex, age)
    sex_dimension: str
    age_dimension: str
    ages: tuple[str, ...]


@dataclass(frozen=True)
class Corridors:
    ranking: Ranking  # keys are (origin, destination)
    origin: str
    destination: str


Shape = SeriesChart | Ranking | AreaMap | Pyramid | Corridors | Crosstab


@dataclass(frozen=True)
class ViewContext:
    """What a builder needs besides the grid: the state, the dataflow's explorer defaults, and a function
    that builds the grid for a given split."""

    state: ExplorerState
    defaults: ExplorerDefaults
    varying: tuple[str, ...]  # dimensions with more than one code in the selection
    grid_for: Callable[[Sequence[str]], Grid]
    dimensions: tuple[str, ...]


def _split(context: ViewContext, forced: Sequence[str] = ()) -> list[str]:
    state = context.state
    chosen = [d for d in context.varying if state.placement(d) is not Placement.SUM or d == "FREQ"]
    return list(dict.fromkeys([*forced, *chosen]))


def _top_codes(grid: Grid, dimension: str, how_many: int, time_additive: bool) -> list[str]:
    position = grid.dimensions.index(dimension)
    totals: dict[str, float] = {}
    for entry in _collapse(grid, time_additive):
        if entry.key[position] != TOTAL and entry.cell.value is not None:
            totals[entry.key[position]] = totals.get(entry.key[position], 0.0) + entry.cell.value
    return [code for code, _ in sorted(totals.items(), key=lambda kv: -kv[1])[:how_many]]


def _fixes(context: ViewContext, grid: Grid, dimensions: Sequence[str]) -> tuple[Fix, ...]:
    """Ways out for a view that would show too much: add the widest dimension up, keep its five largest
    codes, or look at the table."""
    state = context.state
    candidates = [d for d in dimensions if d in grid.dimensions and d != "FREQ"]
    fixes: list[Fix] = []
    if candidates:
        widest = max(candidates, key=lambda d: len({k[grid.dimensions.index(d)] for k in grid.keys}))
        placements = {**state.placements, widest: Placement.SUM}
        fixes.append(Fix("sum", widest, replace(state, placements=placements)))
        top = _top_codes(grid, widest, 5, context.defaults.time_additive)
        if top:
            fixes.append(Fix("narrow", widest, replace(state, filters={**state.filters, widest: tuple(top)})))
    if state.view is not ViewKind.TABLE:
        fixes.append(Fix("table", None, state.with_view(ViewKind.TABLE)))
    return tuple(fixes)


def with_others(grid: Grid, how_many: int) -> Grid | None:
    """The grid's ``how_many`` largest series (over the whole range) and one "Others" series adding up the
    rest, period by period; None where the figures do not add up (rates, mixed units, a total among them)."""
    order = [e.key for e in _collapse(grid, True)]
    top, rest = order[:how_many], set(order[how_many:])
    cells = [c for (k, _), c in grid.cells.items() if k in rest]
    if not rest or {c.unit for c in cells} - ADDITIVE_UNITS or len({(c.unit, c.multiplier) for c in cells}) != 1:
        return None
    if any(TOTAL in key for key in rest):
        return None
    others: Key = (OTHERS,) * len(grid.dimensions)
    kept = {(k, p): c for (k, p), c in grid.cells.items() if k not in rest}
    for period in grid.periods:
        cell = add_up(grid.cells[(k, period)] for k in grid.keys if k in rest and (k, period) in grid.cells)
        if cell is not None:
            kept[(others, period)] = cell
    return replace(grid, keys=(*top, others), cells=kept)


def series_chart(context: ViewContext) -> SeriesChart | Problem:
    grid = context.grid_for(_split(context))
    state = context.state
    if state.view is ViewKind.STACKED and (problem := _mixed_units(context, grid)):
        return problem  # a stack adds its series up: never persons to events
    panel_dims = tuple(d for d in grid.dimensions if state.placement(d) in (Placement.ROWS, Placement.COLS))
    if not panel_dims and len(grid.keys) > MAX_SERIES and state.view in (ViewKind.STACKED, ViewKind.BAR):
        grid = with_others(grid, TOP_SERIES) or grid
    colour_dims = tuple(d for d in grid.dimensions if d not in panel_dims)
    index = {d: i for i, d in enumerate(grid.dimensions)}
    series = tuple(
        ChartSeries(key, tuple(key[index[d]] for d in colour_dims), tuple(key[index[d]] for d in panel_dims))
        for key in grid.keys
    )
    panels = {s.panel for s in series}
    per_panel = max((sum(1 for s in series if s.panel == p) for p in panels), default=0)
    if len(panels) > MAX_PANELS:
        return Problem("too-many-panels", len(panels), MAX_PANELS, panel_dims, _fixes(context, grid, panel_dims))
    if per_panel > MAX_SERIES:
        return Problem("too-many-series", per_panel, MAX_SERIES, colour_dims, _fixes(context, grid, colour_dims))
    return SeriesChart(grid, colour_dims, panel_dims, series)


def _collapse(grid: Grid, time_additive: bool) -> list[RankEntry]:
    """One figure per key: the sum over the periods (flows) or, for stocks and rates, the latest period
    with a value (each key its own: a country whose last year is missing shows its year before, and says
    which); a key with no value at all shows its last period's reason."""
    entries = []
    for key in grid.keys:
        points = grid.series(key)
        if not points:
            continue
        if time_additive and len(grid.periods) > 1:
            cell = add_up(c for _, c in points)
            label = f"{points[0][0]}/{points[-1][0]}" if len(points) > 1 else points[0][0]
        else:
            label, cell = next(((p, c) for p, c in reversed(points) if c.value is not None), points[-1])
        if cell is not None:
            entries.append(RankEntry(key, cell, label))
    return sorted(entries, key=lambda e: -(e.cell.value if e.cell.value is not None else float("-inf")))


def _others(grid: Grid, rest: Sequence[RankEntry]) -> RankEntry | None:
    """The entries a top-N leaves out, added up, so that a chart of the top does not understate the total:
    only counts in one unit, and never a total code (_T) added to its own parts."""
    units = {e.cell.unit for e in rest}
    multipliers = {e.cell.multiplier for e in rest}
    if not rest or len(units) != 1 or not units <= ADDITIVE_UNITS or len(multipliers) != 1:
        return None
    if any(TOTAL in e.key for e in rest):
        return None
    cell = add_up(e.cell for e in rest)
    periods = sorted({p for e in rest for p in e.period.split("/")})
    period = periods[0] if len(periods) == 1 else f"{periods[0]}/{periods[-1]}"
    return RankEntry((OTHERS,) * len(grid.dimensions), cell, period) if cell and cell.value is not None else None


def _ranking(grid: Grid, time_additive: bool, limit: int) -> Ranking:
    entries = _collapse(grid, time_additive)
    shown = min(limit, len(entries))
    others = _others(grid, entries[shown:]) if shown else None
    return Ranking(grid, tuple(entries), time_additive and len(grid.periods) > 1, shown, others)


def _mixed_units(context: ViewContext, grid: Grid) -> Problem | None:
    if UNIT in grid.dimensions:
        return Problem("mixed-units", len(grid.units()), 1, (UNIT,), _fixes(context, grid, ()))
    return None


def ranked(context: ViewContext) -> Ranking | Problem:
    grid = context.grid_for(_split(context))
    return _mixed_units(context, grid) or _ranking(grid, context.defaults.time_additive, MAX_BARS)


def _single(context: ViewContext, keep: Sequence[str]) -> Problem | None:
    """Maps, pyramids and corridors show one figure per place or group: other dimensions must hold one
    code or be added up."""
    extra = [d for d in _split(context) if d not in keep]
    if not extra:
        return None
    grid = context.grid_for([*keep, *extra])
    state = context.state
    fixes = [Fix("sum", d, replace(state, placements={**state.placements, d: Placement.SUM})) for d in extra]
    fixes.append(Fix("table", None, state.with_view(ViewKind.TABLE)))
    return Problem("needs-single", len({k[len(keep) :] for k in grid.keys}), 1, tuple(extra), tuple(fixes))


def area_map(context: ViewContext) -> AreaMap | Problem:
    dimension = context.state.map_dimension
    if dimension is None:
        return Problem("no-map")
    problem = _single(context, [dimension])
    if problem:
        return problem
    grid = context.grid_for([dimension])
    return _mixed_units(context, grid) or AreaMap(_ranking(grid, context.defaults.time_additive, 0), dimension)


def pyramid(context: ViewContext) -> Pyramid | Problem:
    if not {"SEX", "AGE"} <= set(context.dimensions):
        return Problem("no-pyramid")
    problem = _single(context, ["SEX", "AGE"])
    if problem:
        return problem
    grid = context.grid_for(["SEX", "AGE"])
    ranking = _ranking(grid, context.defaults.time_additive, 0)
    entries = tuple(e for e in ranking.entries if e.key[0] in (FEMALE, MALE) and e.key[1] != TOTAL)
    if not entries:
        return Problem("no-sex-age", fixes=(Fix("table", None, context.state.with_view(ViewKind.TABLE)),))
    ages = tuple(dict.fromkeys(k[1] for k in grid.keys if k[1] != TOTAL and (k[0] in (FEMALE, MALE))))
    return Pyramid(replace(ranking, entries=entries), "SEX", "AGE", ages)


def corridors(context: ViewContext) -> Corridors | Problem:
    flows = context.defaults.flows
    if flows is None:
        return Problem("no-flows")
    problem = _single(context, [flows.origin, flows.destination])
    if problem:
        return problem
    grid = context.grid_for([flows.origin, flows.destination])
    ranking = _ranking(grid, context.defaults.time_additive, MAX_CORRIDORS)
    return _mixed_units(context, grid) or Corridors(ranking, flows.origin, flows.destination)


def crosstab(context: ViewContext) -> Crosstab | Problem:
    state = context.state
    grid = context.grid_for(_split(context))
    column_dims = [d for d in grid.dimensions if state.placement(d) is Placement.COLS]
    row_dims = [d for d in grid.dimensions if d not in column_dims]
    # with nothing else down the side, periods go down it: one row of figures reads badly, on a phone above all
    time_across = state.placement(TIME) is Placement.COLS and bool(row_dims)
    (column_dims if time_across else row_dims).append(TIME)
    table = build_crosstab(grid, row_dims, column_dims, context.defaults.time_additive)
    if len(table.columns) > MAX_TABLE_COLUMNS:
        return Problem("too-many-columns", len(table.columns), MAX_TABLE_COLUMNS, tuple(column_dims))
    if len(table.rows) > MAX_TABLE_ROWS:
        dims = tuple(d for d in row_dims if d != TIME)
        return Problem("too-many-rows", len(table.rows), MAX_TABLE_ROWS, dims, _fixes(context, grid, dims))
    return table


BUILDERS: dict[ViewKind, Callable[[ViewContext], Shape | Problem]] = {
    ViewKind.LINE: series_chart,
    ViewKind.BAR: series_chart,
    ViewKind.STACKED: series_chart,
    ViewKind.RANKED: ranked,
    ViewKind.MAP: area_map,
    ViewKind.PYRAMID: pyramid,
    ViewKind.FLOWS: corridors,
    ViewKind.TABLE: crosstab,
}
