"""The route view: the monthly counts of one citizenship at successive points of a route, lined up by month.

For each pair of successive points, the lag of 0 to ``MAX_LAG`` months whose Pearson correlation between this
point's month and the next point's month ``lag`` later is highest (over at least ``MIN_MONTHS`` months both
report), and the share "arriving": 100 × the next point's sum over those months (shifted by the lag) / this
point's sum over them. Absent (None) where it cannot be defined: too few months, a constant series, a zero sum.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from pivgm.model.indicator import RoutePoint
from pivgm.warehouse.derive import Operand, line_up

MAX_LAG = 3
MIN_MONTHS = 6


@dataclass(frozen=True)
class PointSeries:
    """One point's monthly counts of the citizenship (month ``YYYY-MM`` -> value) and their units."""

    point: RoutePoint
    values: dict[str, float]
    units: tuple[str, ...]


@dataclass(frozen=True)
class LagFit:
    lag: int
    months: int  # months both report at this lag
    correlation: float | None


@dataclass(frozen=True)
class Step:
    """From one point to the next: every lag tried, the best, and the share arriving at the best lag."""

    source: str
    target: str
    fits: tuple[LagFit, ...]
    best: LagFit | None
    share_pct: float | None


def shift_month(month: str, lag: int) -> str:
    year, number = int(month[:4]), int(month[5:7]) - 1 + lag
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def _operand(point: RoutePoint, file: Path | None, citizenship: str | None) -> Operand:
    side = point.side
    where = {**side.key, **({side.origin: (citizenship,)} if citizenship else {})}
    return Operand("v", file, where, {"FREQ": "FREQ", "CITIZENSHIP": side.origin}, summed=side.total)


def series(point: RoutePoint, file: Path | None, citizenship: str) -> PointSeries:
    """The point's published monthly counts of ``citizenship`` (none if its dataflow has no release)."""
    table = line_up([_operand(point, file, citizenship)], ["FREQ", "CITIZENSHIP"])
    table = table.filter(pc.is_valid(table["v__value"]))
    rows = table.select(["TIME_PERIOD", "v__value", "UNIT"]).to_pylist()
    units = tuple(sorted({r["UNIT"] for r in rows if r["UNIT"]}))
    return PointSeries(point, {r["TIME_PERIOD"]: float(r["v__value"]) for r in rows}, units)


def citizenships(point: RoutePoint, file: Path | None) -> list[str]:
    """The citizenships the point reports, in code order."""
    table = line_up([_operand(point, file, None)], ["FREQ", "CITIZENSHIP"])
    return sorted(set(table["CITIZENSHIP"].to_pylist()))


def _fit(source: Mapping[str, float], target: Mapping[str, float], lag: int) -> tuple[LagFit, float | None]:
    months = [m for m in sorted(source) if shift_month(m, lag) in target]
    x = np.array([source[m] for m in months])
    y = np.array([target[shift_month(m, lag)] for m in months])
    correlation = None
    if len(months) >= MIN_MONTHS and x.std() > 0 and y.std() > 0:
        correlation = float(np.corrcoef(x, y)[0, 1])
    share = 100 * float(y.sum()) / float(x.sum()) if len(months) and x.sum() != 0 else None
    return LagFit(lag, len(months), correlation), share


def step(source: PointSeries, target: PointSeries) -> Step:
    fitted = [_fit(source.values, target.values, lag) for lag in range(MAX_LAG + 1)]
    candidates = [(fit, share) for fit, share in fitted if fit.correlation is not None]
    best = max(candidates, key=lambda c: c[0].correlation or 0.0, default=None)  # the first of equals: shortest lag
    return Step(
        source.point.id,
        target.point.id,
        tuple(fit for fit, _ in fitted),
        best[0] if best else None,
        best[1] if best else None,
    )


def steps(every: Sequence[PointSeries]) -> list[Step]:
    return [step(a, b) for a, b in itertools.pairwise(every)]


def months(every: Sequence[PointSeries]) -> list[str]:
    """Every month any point reports, in order."""
    return sorted({m for s in every for m in s.values})


@dataclass(frozen=True)
class Year:
    """Each point's sum over the months of a calendar year it reports (None: no month), and how many months."""

    year: str
    sums: tuple[float | None, ...]
    months: tuple[int, ...]

    @property
    def complete(self) -> bool:
        """Every point reports every month of the year."""
        return all(count == 12 for count in self.months)


def years(every: Sequence[PointSeries]) -> list[Year]:
    """The route year by year (the route map's periods), in order."""
    found = sorted({m[:4] for s in every for m in s.values})
    result = []
    for year in found:
        chosen = [[v for m, v in s.values.items() if m.startswith(year)] for s in every]
        result.append(Year(year, tuple(sum(c) if c else None for c in chosen), tuple(len(c) for c in chosen)))
    return result
