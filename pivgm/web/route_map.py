"""The route map: a route's points drawn where their people are counted, joined in the order people pass
them, each a circle sized by its count in a year (a slider moves over the years), coloured by what it counts
(persons or events); with a sentence that says the same for screen readers (formatting only)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from pivgm.catalog.routes import RouteView
from pivgm.indicators.routes import Year
from pivgm.web.chart_parts import PALETTE, SCHEMA, config
from pivgm.web.i18n import format_count, translate
from pivgm.web.map_charts import SLOT, base_map

MARGIN = 4.0  # degrees around the points, so that circles and names stay inside the frame
MOST = 2500  # the area (square pixels) of the largest circle


def drawable(view: RouteView) -> bool:
    """Every point has a place, and some point a figure."""
    return all(s.point.place for s in view.series) and any(s.values for s in view.series)


def default_year(years: list[Year]) -> int:
    """The latest year every point reports in full, else the latest year."""
    complete = [i for i, year in enumerate(years) if year.complete]
    return complete[-1] if complete else len(years) - 1


def _units(view: RouteView, unit: Callable[[str], str], language: str) -> list[str]:
    """What each point counts, by name (several units joined)."""
    return [" + ".join(unit(u) for u in s.units) or translate("route_unit_unknown", language) for s in view.series]


def describe(
    view: RouteView, year: Year, area: Callable[[str], str], units: list[str], language: str, locale: str
) -> str:
    """The map as a sentence: the route, the citizenship, the year and each point's count with its unit."""
    figures = "; ".join(
        f"{s.point.name.get(language)}: "
        + (
            f"{format_count(total, locale)} {unit.lower()}"
            if total is not None
            else translate("route_no_figure", language)
        )
        for s, total, unit in zip(view.series, year.sums, units, strict=True)
    )
    return translate("route_map_sentence", language).format(
        route=view.route.name.get(language), citizenship=area(view.citizenship), year=year.year, figures=figures
    )


def route_map_spec(
    view: RouteView, area: Callable[[str], str], unit: Callable[[str], str], language: str, locale: str
) -> dict[str, Any]:
    """A Vega-Lite map of the route for its citizenship, one slot per year (``usermeta.slider``)."""
    years = view.years
    chosen = default_year(years)
    units = _units(view, unit, language)
    places = [s.point.place for s in view.series if s.point.place]
    rows: list[dict[str, Any]] = []
    for slot, year in enumerate(years):
        for s, total, months, counted in zip(view.series, year.sums, year.months, units, strict=True):
            if total is None or s.point.place is None:
                continue
            longitude, latitude = s.point.place
            rows.append(
                {
                    SLOT: slot,
                    "name": s.point.name.get(language),
                    "longitude": longitude,
                    "latitude": latitude,
                    "value": total,
                    "text": format_count(total, locale),
                    "unit": counted,
                    "period": year.year,
                    "months": format_count(months, locale),
                }
            )
    largest = max((r["value"] for r in rows), default=1.0) or 1.0
    path = [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]}, "properties": {}}
        for a, b in itertools.pairwise(places)
    ]
    west, east = min(p[0] for p in places) - MARGIN, max(p[0] for p in places) + MARGIN
    south, north = min(p[1] for p in places) - MARGIN, max(p[1] for p in places) + MARGIN
    corners = [[west, south], [east, north], [west, north], [east, south]]
    names = [
        {"name": s.point.name.get(language), "longitude": p[0], "latitude": p[1]}
        for s, p in zip(view.series, places, strict=True)
    ]
    tooltip = [
        {"field": "name", "title": " "},
        {"field": "period", "title": translate("period", language)},
        {"field": "text", "title": translate("value", language)},
        {"field": "unit", "title": translate("unit", language)},
        {"field": "months", "title": translate("route_months_counted", language)},
    ]
    position = {
        "longitude": {"field": "longitude", "type": "quantitative"},
        "latitude": {"field": "latitude", "type": "quantitative"},
    }
    title = f"{view.route.name.get(language)}: {area(view.citizenship)}"
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": [translate("route_map_subtitle", language)], "aria": False},
        "description": describe(view, years[chosen], area, units, language, locale),
        "width": "container",
        "height": 460,
        "projection": {
            "type": "equalEarth",
            "fit": {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": corners}},
        },
        "params": [{"name": SLOT, "value": chosen}],
        "usermeta": {
            "slider": {"label": translate("period", language), "slots": [y.year for y in years], "value": chosen}
        },
        "layer": [
            {**base_map(), "mark": {**base_map()["mark"], "clip": True}},
            {
                "data": {"values": path},
                "mark": {
                    "type": "geoshape",
                    "filled": False,
                    "stroke": "#52606d",
                    "strokeWidth": 2,
                    "strokeDash": [6, 4],
                    "clip": True,
                },
            },
            {
                "data": {"values": rows},
                "transform": [{"filter": f"datum.{SLOT} == {SLOT}"}],
                "mark": {"type": "circle", "opacity": 0.8, "stroke": "#ffffff", "strokeWidth": 1, "clip": True},
                "encoding": {
                    **position,
                    "size": {
                        "field": "value",
                        "type": "quantitative",
                        "title": translate("route_map_size", language),
                        "scale": {"domain": [0, largest], "range": [0, MOST], "zero": True},
                        "legend": {"orient": "bottom", "format": ",.0f", "titleLimit": 0},
                    },
                    "color": {
                        "field": "unit",
                        "type": "nominal",
                        "title": translate("unit", language),
                        "scale": {"domain": list(dict.fromkeys(units)), "range": PALETTE[: len(set(units))]},
                        "legend": {"orient": "bottom"},
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"values": names},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "dx": 12,
                    "dy": -10,
                    "fontSize": 12,
                    "fontWeight": 600,
                    "color": "#1f2933",
                    "clip": True,
                },
                "encoding": {**position, "text": {"field": "name"}},
            },
        ],
        "config": config(),
    }
