"""Classes of a choropleth: natural breaks (Fisher-Jenks) rounded to round numbers, never more classes than
the values can fill, and legend labels that show each class's limits in the page's number locale. Signed
figures (changes: falls and rises) are classed on each side of zero, so no class holds both."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pivgm.web.i18n import format_number

MAX_CLASSES = 5
MAX_SIDE_CLASSES = 3  # classes on each side of zero for signed figures
SAMPLE = 120  # Jenks is quadratic: many values are first thinned to this many evenly spaced ranks


@dataclass(frozen=True)
class MapClass:
    low: float
    high: float
    name: str


def class_count(values: Sequence[float]) -> int:
    """One class per value for one or two distinct values, then about one class per two values, at most five:
    five figures make two or three classes, not five classes of one."""
    distinct = len(set(values))
    if distinct <= 2:
        return distinct
    return min(MAX_CLASSES, math.ceil(distinct / 2))


def _thinned(ordered: list[float]) -> list[float]:
    if len(ordered) <= SAMPLE:
        return ordered
    step = (len(ordered) - 1) / (SAMPLE - 1)
    return [ordered[round(i * step)] for i in range(SAMPLE)]


def jenks_breaks(values: Sequence[float], classes: int) -> list[float]:
    """The upper limits of the first ``classes - 1`` natural classes (least squared deviation within classes)."""
    data = _thinned(sorted(values))
    n = len(data)
    if classes < 2 or n <= classes:
        return sorted(set(data))[: classes - 1] if classes >= 2 else []
    prefix, squares = [0.0], [0.0]
    for v in data:
        prefix.append(prefix[-1] + v)
        squares.append(squares[-1] + v * v)

    def cost(i: int, j: int) -> float:  # squared deviation of data[i:j]
        total = prefix[j] - prefix[i]
        return squares[j] - squares[i] - total * total / (j - i)

    best = [[math.inf] * (n + 1) for _ in range(classes + 1)]
    cut = [[0] * (n + 1) for _ in range(classes + 1)]
    best[0][0] = 0.0
    for k in range(1, classes + 1):
        for j in range(k, n + 1):
            for i in range(k - 1, j):
                found = best[k - 1][i] + cost(i, j)
                if found < best[k][j]:
                    best[k][j], cut[k][j] = found, i
    ends, j = [], n
    for k in range(classes, 1, -1):
        j = cut[k][j]
        ends.append(data[j - 1])
    return sorted(ends)


def _nice(end: float, above: float) -> float:
    """The roundest number from ``end`` up to, not including, ``above``: between 9_120 and 20_000, 10_000."""
    reach = max(abs(end), abs(above))
    if reach == 0:
        return end
    top = math.floor(math.log10(reach))
    for digits in range(0, 16):
        magnitude = 10.0 ** (top - digits)
        candidate = math.ceil(end / magnitude) * magnitude
        if end <= candidate < above:
            return round(candidate, max(0, digits - top))
    return end


def map_classes(values: Sequence[float], locale: str) -> list[MapClass]:
    """The classes of ``values``, lowest first, each named by its limits (``1,200 – 4,999``); with falls and
    rises, the falls' classes end below zero and the rises' start at zero (see :func:`diverging`)."""
    ordered = sorted(v for v in values if v is not None and math.isfinite(v))
    if not ordered:
        return []
    decimals = _decimals(ordered)
    if diverging(ordered):
        falls = [v for v in ordered if v < 0]
        rises = [v for v in ordered if v >= 0]
        return [
            *_classes(falls, locale, decimals, MAX_SIDE_CLASSES),
            *_classes(rises, locale, decimals, MAX_SIDE_CLASSES),
        ]
    return _classes(ordered, locale, decimals, MAX_CLASSES)


def diverging(values: Sequence[float]) -> bool:
    """Whether figures fall on both sides of zero (a change): classed and coloured apart from zero."""
    return any(v < 0 for v in values) and any(v > 0 for v in values)


def _classes(ordered: list[float], locale: str, decimals: int, most: int) -> list[MapClass]:
    distinct = sorted(set(ordered))
    if len(distinct) <= 2:  # one class per value, named by the value
        return [MapClass(v, v, format_number(v, locale, decimals)) for v in distinct]
    ends = jenks_breaks(ordered, min(most, class_count(ordered)))
    limits = []
    for end in ends:  # a class ends at a round number between its largest value and the next class's smallest
        above = next(v for v in distinct if v > end)
        limits.append(_nice(end, above))
    limits = sorted(set(limits))
    bounds = [ordered[0], *limits, ordered[-1]]
    classes = []
    for index, (low, high) in enumerate(itertools.pairwise(bounds)):
        start = low if index == 0 else _next_above(low, decimals)
        if start == high:
            name = format_number(high, locale, decimals)
        else:
            name = f"{format_number(start, locale, decimals)} – {format_number(high, locale, decimals)}"
        classes.append(MapClass(start, high, name))
    return classes


def _decimals(values: Sequence[float]) -> int:
    """Whole numbers for counts and for figures in the hundreds and more; one or two decimals for rates."""
    if all(float(v).is_integer() for v in values):
        return 0
    reach = max(abs(v) for v in values)
    return 0 if reach >= 100 else 1 if reach >= 10 else 2


def _next_above(limit: float, decimals: int) -> float:
    """The first figure written above a class limit: 10,000 ends a class, 10,001 starts the next."""
    return round(limit + 10**-decimals, decimals)


def class_of(value: float | None, classes: Sequence[MapClass]) -> str | None:
    """The name of the class ``value`` falls in (None for a missing value)."""
    if value is None or not classes:
        return None
    for found in classes:
        if value <= found.high:
            return found.name
    return classes[-1].name
