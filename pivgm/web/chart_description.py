"""The chart's accessible description: a short sentence in the page's language saying what is shown, its
extremes and its trend (screen readers announce it instead of the axes' tick labels run together)."""

from __future__ import annotations

from functools import singledispatch

from pivgm.catalog.grid import Cell
from pivgm.catalog.views import AreaMap, Corridors, Pyramid, RankEntry, Ranking, SeriesChart
from pivgm.web.labels import Labels

FLAT = 0.02  # a change under 2 % of the larger figure is "about the same"


@singledispatch
def describe(shape: object, labels: Labels, title: str) -> str:
    """A sentence about ``shape`` (the title alone for shapes without a chart)."""
    return title


def _trend(labels: Labels, name: str, start: tuple[str, Cell], end: tuple[str, Cell]) -> str:
    (first, a), (last, b) = start, end
    if a.value is None or b.value is None:
        return ""
    larger = max(abs(a.value), abs(b.value)) or 1.0
    kind = "flat" if abs(b.value - a.value) <= FLAT * larger else ("up" if b.value > a.value else "down")
    return labels.t(f"describe_trend_{kind}").format(
        name=name,
        start=labels.value(a),
        first=labels.code("TIME_PERIOD", first),
        end=labels.value(b),
        last=labels.code("TIME_PERIOD", last),
    )


@describe.register
def _(chart: SeriesChart, labels: Labels, title: str) -> str:
    grid = chart.grid
    points = []
    largest_name, largest_points, largest_total = "", [], float("-inf")
    for series in chart.series:
        name = labels.key(grid.dimensions, series.key, labels.only_series)
        series_points = [(p, c) for p, c in grid.series(series.key) if c.value is not None]
        points += [(name, p, c) for p, c in series_points]
        total = sum(c.value or 0 for _, c in series_points)
        if series_points and total > largest_total:
            largest_name, largest_points, largest_total = name, series_points, total
    if not points:
        return title
    high = max(points, key=lambda x: x[2].value or 0)
    low = min(points, key=lambda x: x[2].value or 0)
    text = labels.t("describe_series").format(
        title=title,
        count=len(chart.series),
        first=labels.code("TIME_PERIOD", grid.periods[0]),
        last=labels.code("TIME_PERIOD", grid.periods[-1]),
        high_name=high[0],
        high=labels.value(high[2]),
        high_period=labels.code("TIME_PERIOD", high[1]),
        low_name=low[0],
        low=labels.value(low[2]),
        low_period=labels.code("TIME_PERIOD", low[1]),
    )
    trend = _trend(labels, largest_name, largest_points[0], largest_points[-1]) if len(largest_points) > 1 else ""
    return f"{text} {trend}".strip()


def _ranking_sentence(ranking: Ranking, labels: Labels, title: str, entries: tuple[RankEntry, ...]) -> str:
    valued = [e for e in entries if e.cell.value is not None]
    if not valued:
        return title
    first, last = valued[0], valued[-1]
    dimensions = ranking.grid.dimensions
    return labels.t("describe_ranking").format(
        title=title,
        count=len(valued),
        first_name=labels.key(dimensions, first.key, labels.t("total")),
        first=labels.value(first.cell),
        last_name=labels.key(dimensions, last.key, labels.t("total")),
        last=labels.value(last.cell),
    )


@describe.register
def _(ranking: Ranking, labels: Labels, title: str) -> str:
    return _ranking_sentence(ranking, labels, title, ranking.entries)


@describe.register
def _(area_map: AreaMap, labels: Labels, title: str) -> str:
    return _ranking_sentence(area_map.ranking, labels, title, area_map.ranking.entries)


@describe.register
def _(corridors: Corridors, labels: Labels, title: str) -> str:
    return _ranking_sentence(corridors.ranking, labels, title, corridors.ranking.entries)


@describe.register
def _(pyramid: Pyramid, labels: Labels, title: str) -> str:
    return _ranking_sentence(pyramid.ranking, labels, title, pyramid.ranking.entries)
