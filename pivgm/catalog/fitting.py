"""Which views a dataflow offers, and the state each view tab opens on: one that draws a meaningful chart.

A map, a pyramid, corridors and a ranking show one figure per place or group. Opened from a line chart of
three countries, they would stop at "choose a single code" or draw one "Total" bar. The tab instead opens on
the same selection fitted to the view: the dimensions the view spreads out (the map's areas, sex and age,
origin and destination, the ranked dimension) are opened to every code when fewer than two are selected;
every other dimension with several codes is narrowed to one (its total, else the first chosen code, else
the code with the most observations); and a selection that mixes units is narrowed until it holds one.
A stack adds its series up, so its tab keeps, of the codes it stacks, those in the unit of the code with the
most observations (persons in Honduras and Panama, not events in Mexico).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from pivgm.catalog.explorer_config import ExplorerDefaults
from pivgm.catalog.state import TOTAL, ExplorerState, Placement, ViewKind
from pivgm.model import Dataflow

UNIT = "UNIT_MEASURE"
FREQ = "FREQ"
MAX_UNIT_PROBES = 40  # codes whose units a stack's tab looks up one by one; more are narrowed to one code
MAX_RANKED_CODES = 400  # a dimension with more codes (incident ids) is no ranking anyone reads
SEXES = ("F", "M")

Counts = dict[str, dict[str, int]]
FacetsOf = Callable[[ExplorerState, Sequence[str]], Counts]  # counts per code of the named columns


def present(counts: Mapping[str, int], chosen: Sequence[str]) -> list[str]:
    """The codes of a dimension selected and with data (every code with data when ``chosen`` is empty)."""
    return [code for code, n in counts.items() if n and (not chosen or code in chosen)]


def offers_pyramid(dataflow: Dataflow, release_counts: Counts) -> bool:
    """A pyramid needs both sexes and at least two age groups with data in the release."""
    if not {"SEX", "AGE"} <= set(dataflow.structure.dimension_ids):
        return False
    sexes = set(present(release_counts.get("SEX", {}), ()))
    ages = [a for a in present(release_counts.get("AGE", {}), ()) if a != TOTAL]
    return set(SEXES) <= sexes and len(ages) >= 2


def offered_views(
    dataflow: Dataflow, defaults: ExplorerDefaults, state: ExplorerState, release_counts: Counts
) -> tuple[ViewKind, ...]:
    """The view tabs of a dataflow: a pyramid only with data by sex and age, a map only with an area
    dimension, corridors only with an origin and a destination."""
    views = [ViewKind.LINE, ViewKind.BAR, ViewKind.STACKED, ViewKind.RANKED]
    if offers_pyramid(dataflow, release_counts):
        views.append(ViewKind.PYRAMID)
    if state.map_dimension:
        views.append(ViewKind.MAP)
    if defaults.flows:
        views.append(ViewKind.FLOWS)
    return (*views, ViewKind.TABLE)


def _ranked_dimension(dimensions: Sequence[str], release_counts: Counts) -> str | None:
    """The dimension a ranking spreads out: the one with the most codes with data in the release (incident
    ids and frequencies aside)."""
    candidates = {}
    for dimension in dimensions:
        codes = [c for c in present(release_counts.get(dimension, {}), ()) if c != TOTAL]
        if dimension != FREQ and 2 <= len(codes) <= MAX_RANKED_CODES:
            candidates[dimension] = len(codes)
    return max(candidates, key=lambda d: candidates[d]) if candidates else None


def _split(state: ExplorerState, dimensions: Sequence[str], facets: Counts) -> list[str]:
    return [
        d
        for d in dimensions
        if len(present(facets[d], state.filters[d])) > 1 and (state.placement(d) is not Placement.SUM or d == FREQ)
    ]


def _one_code(state: ExplorerState, dimension: str, facets: Counts) -> str:
    codes = present(facets[dimension], state.filters[dimension]) or present(facets[dimension], ())
    if TOTAL in codes:
        return TOTAL
    chosen = [c for c in state.filters[dimension] if c in codes]
    return chosen[0] if chosen else max(codes, key=lambda c: facets[dimension][c])


def _narrow(state: ExplorerState, dimension: str, facets: Counts) -> ExplorerState:
    return replace(state, filters={**state.filters, dimension: (_one_code(state, dimension, facets),)})


def _same_unit(state: ExplorerState, dimension: str, facets: Counts, facets_of: FacetsOf) -> ExplorerState:
    """Keep the codes of ``dimension`` in the unit(s) of its code with the most observations."""
    codes = present(facets[dimension], state.filters[dimension])
    if len(codes) > MAX_UNIT_PROBES:
        return _narrow(state, dimension, facets)

    def units(code: str) -> frozenset[str]:
        alone = replace(state, filters={**state.filters, dimension: (code,)})
        return frozenset(present(facets_of(alone, (UNIT,))[UNIT], ()))

    of = {code: units(code) for code in codes}
    first = max(codes, key=lambda c: facets[dimension][c])
    return replace(state, filters={**state.filters, dimension: tuple(c for c in codes if of[c] == of[first])})


def _stack_in_one_unit(
    state: ExplorerState, dimensions: Sequence[str], facets_of: FacetsOf, one_unit: Callable[[ExplorerState], bool]
) -> ExplorerState:
    """A stack's selection with the codes of each dimension it holds several of kept to one unit."""
    for dimension in dimensions:
        if one_unit(state):
            break
        facets = facets_of(state, dimensions)
        if len(present(facets[dimension], state.filters[dimension])) > 1:
            state = _same_unit(state, dimension, facets, facets_of)
    return state


def _spread(state: ExplorerState, dimension: str, facets: Counts, defaults: ExplorerDefaults) -> ExplorerState:
    """Open a dimension the view spreads out to every code, unless two or more are chosen, or the visitor
    chose one (a map of Venezuelans' transits stays a map of Venezuelans)."""
    codes = [c for c in present(facets[dimension], state.filters[dimension]) if c != TOTAL]
    chosen = state.filters[dimension] not in ((), (TOTAL,), defaults.filters.get(dimension))
    filters = dict(state.filters)
    if len(codes) < 2 and not chosen:
        filters[dimension] = ()
    return replace(state, filters=filters, placements={**state.placements, dimension: Placement.SERIES})


def _kept(
    fitted: ExplorerState,
    dimensions: Sequence[str],
    defaults: ExplorerDefaults,
    release_counts: Counts,
    facets: Counts,
    one_unit: Callable[[ExplorerState], bool],
) -> list[str]:
    """The dimensions the view spreads out; none when the state needs no fitting."""
    view = fitted.view
    if view is ViewKind.MAP and fitted.map_dimension:
        return [fitted.map_dimension]
    if view is ViewKind.PYRAMID:
        return ["SEX", "AGE"]
    if view is ViewKind.FLOWS and defaults.flows:
        return [defaults.flows.origin, defaults.flows.destination]
    if view is ViewKind.RANKED:
        split = _split(fitted, dimensions, facets)
        if len(split) == 1 and split[0] != FREQ and one_unit(fitted):
            return []  # already one bar per code of one dimension, in one unit
        ranked = _ranked_dimension(dimensions, release_counts)
        return [ranked] if ranked else []
    return []


def fit_state(
    state: ExplorerState,
    view: ViewKind,
    dataflow: Dataflow,
    defaults: ExplorerDefaults,
    release_counts: Counts,
    facets_of: FacetsOf,
) -> ExplorerState:
    """The state the tab of ``view`` opens from ``state`` (see the module's docstring)."""
    dimensions = dataflow.structure.dimension_ids
    fitted = state.with_view(view)
    facets = facets_of(fitted, dimensions)
    has_unit = dataflow.structure.attribute(UNIT) is not None

    def one_unit(candidate: ExplorerState) -> bool:
        return not has_unit or len(present(facets_of(candidate, (UNIT,))[UNIT], ())) <= 1

    keep = _kept(fitted, dimensions, defaults, release_counts, facets, one_unit)
    if not keep:
        return _stack_in_one_unit(fitted, dimensions, facets_of, one_unit) if view is ViewKind.STACKED else fitted
    for dimension in keep:
        fitted = _spread(fitted, dimension, facets, defaults)
    if view is ViewKind.PYRAMID:  # the pyramid's bars only: women and men by age group
        ages = tuple(a for a in present(facets["AGE"], fitted.filters["AGE"]) if a != TOTAL)
        fitted = replace(fitted, filters={**fitted.filters, "SEX": SEXES, "AGE": ages})
    others = [d for d in dimensions if d not in keep]
    facets = facets_of(fitted, dimensions)
    for dimension in others:
        empty = not present(facets[dimension], fitted.filters[dimension]) and present(facets[dimension], ())
        if empty or dimension in _split(fitted, dimensions, facets):
            fitted = _narrow(fitted, dimension, facets)
            facets = facets_of(fitted, dimensions)
    for dimension in others:  # added-up dimensions too: figures in different units do not add up
        if one_unit(fitted):
            break
        if len(present(facets[dimension], fitted.filters[dimension])) > 1:
            fitted = _narrow(fitted, dimension, facets)
            facets = facets_of(fitted, dimensions)
    return fitted
