"""The explorer's state, which lives entirely in the URL: selection, period range, layout and view.

``REF_AREA=PAN,MEX`` selects codes (``*`` or an empty value: every code), ``from``/``to`` bound the periods,
``series``/``rows``/``cols``/``sum`` place the dimensions, ``view`` picks the view and ``map`` the area
dimension the map colours. A dimension the URL does not name takes the dataflow's default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from pivgm.catalog.explorer_config import ExplorerDefaults
from pivgm.catalog.service import ALL, DataSelection
from pivgm.errors import InvalidParameterError, in_both
from pivgm.model import Dataflow
from pivgm.model.periods import parse_period

TIME = "TIME_PERIOD"

TOTAL = "_T"


class ViewKind(StrEnum):
    LINE = "line"
    BAR = "bar"
    STACKED = "stacked"
    RANKED = "ranked"
    PYRAMID = "pyramid"
    MAP = "map"
    FLOWS = "flows"
    TABLE = "table"


class Placement(StrEnum):
    """Where a dimension with several codes goes: a colour (series), table rows, table columns (and chart
    panels), or added up."""

    SERIES = "series"
    ROWS = "rows"
    COLS = "cols"
    SUM = "sum"


LAYOUT_PARAMETERS = tuple(p.value for p in Placement)
RESERVED = {"from", "to", "view", "map", "lang", "format", "scope", *LAYOUT_PARAMETERS}
FORM_LAYOUT = "layout."  # the filter form places each dimension with ``layout.<DIMENSION>=<placement>``


def from_form(query: Mapping[str, Sequence[str]]) -> bool:
    """Whether parameters come from the filter form (and should be redirected to the canonical URL)."""
    return any(name.startswith(FORM_LAYOUT) for name in query)


@dataclass(frozen=True)
class ExplorerState:
    """A complete, validated explorer view description; ``params()`` writes it back as a URL query."""

    dataflow_id: str
    filters: Mapping[str, tuple[str, ...]]
    start: str | None = None
    end: str | None = None
    view: ViewKind = ViewKind.LINE
    placements: Mapping[str, Placement] = field(default_factory=dict)
    map_dimension: str | None = None

    def selection(self) -> DataSelection:
        """The data selection (the same object the data API builds from the same query)."""
        return DataSelection(
            filters={d: list(codes) for d, codes in self.filters.items() if codes},
            start=self.start,
            end=self.end,
        )

    def placement(self, dimension: str) -> Placement:
        return self.placements.get(dimension, Placement.SERIES)

    def placed(self, placement: Placement) -> tuple[str, ...]:
        return tuple(d for d, p in self.placements.items() if p is placement)

    def params(self) -> list[tuple[str, str]]:
        """The query string that reproduces this state, in a stable order."""
        items = [(d, ",".join(codes) if codes else ALL) for d, codes in self.filters.items()]
        items += [(name, value) for name, value in (("from", self.start), ("to", self.end)) if value]
        items.append(("view", self.view.value))
        for placement in Placement:
            dims = self.placed(placement)
            if dims:
                items.append((placement.value, ",".join(dims)))
        if self.map_dimension:
            items.append(("map", self.map_dimension))
        return items

    def with_view(self, view: ViewKind) -> ExplorerState:
        return replace(self, view=view)

    def api_params(self) -> list[tuple[str, str]]:
        """The same selection as a data API query (``/api/data/{id}``)."""
        items = [(d, ",".join(codes)) for d, codes in self.filters.items() if codes]
        return items + [(name, value) for name, value in (("from", self.start), ("to", self.end)) if value]


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    codes = [c.strip() for value in values for c in value.replace("+", ",").split(",")]
    return tuple(dict.fromkeys(c for c in codes if c and c != ALL))


def _dimension_list(name: str, values: Sequence[str], allowed: set[str]) -> list[str]:
    dims = [d for d in _codes(values)]
    unknown = [d for d in dims if d not in allowed]
    if unknown:
        choices = ", ".join(sorted(allowed))
        raise InvalidParameterError(
            f"Parameter {name!r} names {unknown[0]!r}, which is not a dimension of this dataflow; "
            f"use one of {choices}.",
            parameter=name,
            **in_both(
                f"El parámetro «{name}» nombra «{unknown[0]}», que no es una dimensión de estos datos; use una de "
                f"estas: {choices}.",
                f"Parameter {name!r} names {unknown[0]!r}, which is not a dimension of this dataflow; use one of "
                f"{choices}.",
            ),
        )
    return dims


def _default_codes(dimension: str, defaults: ExplorerDefaults, counts: Mapping[str, int]) -> tuple[str, ...]:
    if dimension in defaults.filters:
        return defaults.filters[dimension]
    if dimension in defaults.summed:
        return ()
    return (TOTAL,) if counts.get(TOTAL) else ()


def _all_if_complete(codes: tuple[str, ...], counts: Mapping[str, int]) -> tuple[str, ...]:
    """Every code with data selected means every code (the URL then says ``*``)."""
    present = {code for code, n in counts.items() if n}
    return () if present and present <= set(codes) else codes


def _placements(
    query: Mapping[str, Sequence[str]], defaults: ExplorerDefaults, dimensions: Sequence[str]
) -> dict[str, Placement]:
    """The dataflow's default placements, changed by the ``series``/``rows``/``cols``/``sum`` lists and the
    form's ``layout.X`` for the dimensions they name."""
    named = {name: query[name] for name in LAYOUT_PARAMETERS if name in query}
    form = {name[len(FORM_LAYOUT) :]: values for name, values in query.items() if name.startswith(FORM_LAYOUT)}
    placements: dict[str, Placement] = {TIME: Placement.COLS}
    placements.update({d: Placement.SUM for d in defaults.summed if d in dimensions})  # unless placed otherwise
    allowed = {*dimensions, TIME}
    for placement in Placement:
        for dimension in _dimension_list(placement.value, named.get(placement.value, ()), allowed):
            placements[dimension] = placement
    for dimension, values in form.items():
        _dimension_list(FORM_LAYOUT + dimension, [dimension], allowed)
        try:
            placements[dimension] = Placement(values[-1])
        except ValueError:
            raise InvalidParameterError(
                f"Placement {values[-1]!r} of {dimension} is not valid; use series, rows, cols or sum.",
                parameter=FORM_LAYOUT + dimension,
                **in_both(
                    f"La ubicación «{values[-1]}» de {dimension} no es válida; use series, rows, cols o sum.",
                    f"Placement {values[-1]!r} of {dimension} is not valid; use series, rows, cols or sum.",
                ),
            ) from None
    if placements[TIME] not in (Placement.ROWS, Placement.COLS):
        raise InvalidParameterError(
            "The period can go to rows or columns only.",
            parameter="sum",
            **in_both("El periodo solo puede ir a filas o a columnas.", "The period can go to rows or columns only."),
        )
    return placements


def _period(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(parse_period(value))
    except InvalidParameterError as error:
        raise InvalidParameterError(
            error.message,
            parameter=name,
            value=value,
            **in_both(
                f"El periodo «{value}» de «{name}» no es válido: escríbalo como AAAA (2023), AAAA-Qn (2023-Q3) o "
                "AAAA-MM (2023-07).",
                error.message,
            ),
        ) from None


def parse_state(
    dataflow: Dataflow,
    query: Mapping[str, Sequence[str]],
    defaults: ExplorerDefaults,
    code_counts: Mapping[str, Mapping[str, int]],
) -> ExplorerState:
    """Read a state from URL parameters (each name with all its values), filling in the defaults.

    ``code_counts`` (observations per code in the release) decides default totals."""
    structure = dataflow.structure
    dimensions = structure.dimension_ids
    unknown = [
        name for name in query if name not in RESERVED and name not in dimensions and not name.startswith(FORM_LAYOUT)
    ]
    if unknown:
        listed = ", ".join(dimensions)
        raise InvalidParameterError(
            f"{dataflow.id} has no dimension {unknown[0]!r}; its dimensions are {listed}.",
            parameter=unknown[0],
            **in_both(
                f"{dataflow.id} no tiene la dimensión «{unknown[0]}»: quítela de la dirección. Sus dimensiones son "
                f"{listed}.",
                f"{dataflow.id} has no dimension {unknown[0]!r}: remove it from the address. Its dimensions are "
                f"{listed}.",
            ),
        )
    filters = {
        d: _all_if_complete(
            _codes(query[d]) if d in query else _default_codes(d, defaults, code_counts.get(d, {})),
            code_counts.get(d, {}),
        )
        for d in dimensions
    }
    placements = _placements(query, defaults, dimensions)
    view_text = (query.get("view") or [defaults.view])[-1]
    try:
        view = ViewKind(view_text)
    except ValueError:
        views = ", ".join(v.value for v in ViewKind)
        raise InvalidParameterError(
            f"View {view_text!r} does not exist; use one of {views}.",
            parameter="view",
            **in_both(
                f"La vista «{view_text}» no existe; use una de estas: {views}.",
                f"View {view_text!r} does not exist; use one of {views}.",
            ),
        ) from None
    map_dimension = (query.get("map") or [defaults.map_dimension or ""])[-1] or None
    if map_dimension is not None:
        _dimension_list("map", [map_dimension], set(dimensions))
    start = _period("from", (query.get("from") or [defaults.start or ""])[-1])
    end = _period("to", (query.get("to") or [""])[-1])
    return ExplorerState(dataflow.id, filters, start, end, view, placements, map_dimension)
