"""Derived indicators as plain data: a formula over named inputs, each a selection of a published dataflow."""

from __future__ import annotations

from dataclasses import dataclass, field

from pivgm.model.structure import LocalizedText


@dataclass(frozen=True)
class IndicatorInput:
    """One operand of a formula: observations of ``dataflow`` where every dimension in ``key`` holds one of
    its codes (several codes, or the dimensions in ``total``, are summed), each remaining dimension mapped
    onto the indicator's (``dimensions``: indicator dimension -> input dimension).

    ``within`` keeps, without summing, only the codes of a group (the member countries of a region).
    ``shift`` reads the value ``shift`` periods earlier (year-on-year change of monthly data: 12);
    ``window`` sums the last ``window`` periods, all of which must be present (12-month rolling sums);
    ``annual`` sums the periods of each calendar year into one annual observation (FREQ ``A``)."""

    name: str
    dataflow: str
    key: dict[str, tuple[str, ...]]
    dimensions: dict[str, str]
    total: tuple[str, ...] = ()
    within: dict[str, tuple[str, ...]] = field(default_factory=dict)
    shift: int = 0
    window: int = 1
    annual: bool = False

    @property
    def summed(self) -> tuple[str, ...]:
        """The dimensions whose codes are added up: those with several codes in ``key`` and ``total``."""
        return (*(d for d, codes in self.key.items() if len(codes) > 1), *self.total)


@dataclass(frozen=True)
class Indicator:
    """A derived indicator, published as its own dataflow (``id``): ``formula`` over the inputs' names, with
    + - * / numbers and parentheses; the first input says which observations exist (its keys), in
    the indicator's ``dimensions`` and its periods."""

    id: str
    formula: str
    inputs: tuple[IndicatorInput, ...]
    dimensions: tuple[str, ...] = field(default=())
    unit: str | None = None  # None: each observation keeps the first input's unit

    @property
    def dataflows(self) -> frozenset[str]:
        """The dataflows a new release of which makes this indicator's values change."""
        return frozenset(i.dataflow for i in self.inputs)


@dataclass(frozen=True)
class MirrorSide:
    """One reporter's view of a flow between two countries: a selection of ``dataflow`` (``key`` codes, the
    ``total`` dimensions summed) whose ``origin`` and ``destination`` dimensions say where the flow goes.
    ``fixed`` holds a CL_AREA code in place of a dimension (``"origin"``/``"destination"`` -> code) where
    the dataflow has no dimension for it (transits of a citizenship: the origin only); ``reporter`` is the
    data provider whose figure this side is."""

    role: LocalizedText
    dataflow: str
    key: dict[str, tuple[str, ...]]
    total: tuple[str, ...]
    origin: str
    destination: str
    reporter: str = ""
    fixed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MirrorRule:
    """Two sides that report the same flow (mirror statistics), with what makes them differ (``note``)."""

    id: str
    name: LocalizedText
    description: LocalizedText
    note: LocalizedText
    sides: tuple[MirrorSide, MirrorSide]


@dataclass(frozen=True)
class RoutePoint:
    """One point of a route where a reporter counts people of each citizenship by month (``side.origin`` is
    the citizenship dimension)."""

    id: str
    name: LocalizedText
    side: MirrorSide
    place: tuple[float, float] | None = None  # longitude, latitude: where the route map draws it


@dataclass(frozen=True)
class Route:
    """Successive points of a migration route, in the order people pass them, and what makes their counts
    differ (``caveat``)."""

    id: str
    name: LocalizedText
    description: LocalizedText
    caveat: LocalizedText
    points: tuple[RoutePoint, ...]
