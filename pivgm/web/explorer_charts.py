"""Vega-Lite specifications of the explorer's views, one builder per shape (formatting only).

Every data row carries the figure's localized text, unit and observation status, so tooltips, legends and
exported images say what a number is; flagged observations are drawn with a marker.
"""

from __future__ import annotations

import itertools
from functools import singledispatch
from typing import Any

from pivgm.catalog.grid import Cell, Grid
from pivgm.catalog.views import AreaMap, Corridors, Pyramid, Ranking, SeriesChart
from pivgm.model.periods import parse_period
from pivgm.web.i18n import format_number, translate
from pivgm.web.labels import Labels
from pivgm.web.maps import ATLAS_URL, iso_numeric, places

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
PALETTE = [
    "#0b5fa5",
    "#d95f02",
    "#1b9e77",
    "#7570b3",
    "#c2185b",
    "#5b8c00",
    "#a6761d",
    "#4d4d4d",
    "#0097a7",
    "#e6ab02",
]
SEX_COLOURS = {"F": "#b3541e", "M": "#0b5fa5"}
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
MAX_LINES = 25
SUFFIXES = {"es": (" mil M", " M"), "en": (" B", " M")}


def config() -> dict[str, Any]:
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {
            "grid": True,
            "gridColor": "#e4e7eb",
            "labelColor": "#3e4c59",
            "titleColor": "#1f2933",
            "labelFontSize": 11,
            "titleFontSize": 12,
            "titleFontWeight": 600,
        },
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 320, "symbolStrokeWidth": 3},
        "title": {"anchor": "start", "fontSize": 15, "subtitleFontSize": 12, "subtitleColor": "#52606d"},
        "range": {"category": PALETTE},
    }


def axis_labels(language: str) -> str:
    """Axis numbers shortened to millions and billions in the page's words (12 M, 1,5 mil M)."""
    billions, millions = SUFFIXES.get(language, SUFFIXES["en"])
    return (
        f"abs(datum.value) >= 1e9 ? format(datum.value / 1e9, ',.1~f') + '{billions}' : "
        f"abs(datum.value) >= 1e6 ? format(datum.value / 1e6, ',.1~f') + '{millions}' : "
        "format(datum.value, ',~r')"
    )


def _flags(cell: Cell, labels: Labels) -> str:
    return "; ".join(labels.status(code) for code in cell.flags)


def _point(labels: Labels, cell: Cell, **fields: Any) -> dict[str, Any]:
    return {
        **fields,
        "value": cell.value,
        "text": labels.value(cell),
        "unit": labels.unit(cell),
        "flag": _flags(cell, labels),
        "n": cell.observations,
    }


def _frame(title: dict[str, Any], labels: Labels, **spec: Any) -> dict[str, Any]:
    """A complete spec; its description (the title and the selection) is what screen readers announce."""
    description = " ".join([title.get("text", ""), *title.get("subtitle", [])]).strip()
    return {"$schema": SCHEMA, "title": title, "description": description, **spec, "config": config()}


def _tooltip(labels: Labels, *first: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *first,
        {"field": "text", "title": labels.t("value")},
        {"field": "unit", "title": labels.t("unit")},
        {"field": "flag", "title": labels.t("obs_status")},
    ]


def _colour(count: int, title: str | None) -> dict[str, Any]:
    scale: dict[str, Any] = {"scheme": "tableau20"} if count > len(PALETTE) else {"range": PALETTE}
    return {
        "field": "series",
        "type": "nominal",
        "title": title,
        "sort": None,
        "scale": scale,
        "legend": {"orient": "bottom", "columns": 1 if count < 4 else 2, "direction": "vertical"}
        if count > 1
        else None,
    }


def _time_format(grid: Grid) -> str:
    frequencies = {parse_period(p).frequency.value for p in grid.periods}
    return "%Y" if frequencies == {"A"} else "%b %Y"


@singledispatch
def view_spec(shape: object, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any] | None:
    """The chart of a view's shape, or None for views drawn as HTML (the cross-table)."""
    return None


def series_spec(chart: SeriesChart, labels: Labels, title: dict[str, Any], mark: str) -> dict[str, Any]:
    """Lines, grouped bars or stacked bars over time; panels when dimensions go to rows or columns."""
    grid = chart.grid
    rows = []
    for series in chart.series:
        name = labels.key(chart.colour_dimensions, series.colour, labels.dataflow.name.get(labels.language))
        panel = labels.key(chart.panel_dimensions, series.panel)
        for period, cell in grid.series(series.key):
            start = parse_period(period).start.isoformat()
            rows.append(
                _point(
                    labels,
                    cell,
                    date=start,
                    period=labels.code("TIME_PERIOD", period),
                    series=name,
                    panel=panel,
                )
            )
    count = len({s.colour for s in chart.series})
    value_title = labels.unit_title(grid.units(), grid.multipliers())
    y = {
        "field": "value",
        "type": "quantitative",
        "title": value_title,
        "axis": {"labelExpr": axis_labels(labels.language)},
        **({"stack": "zero"} if mark == "stacked" else {}),
    }
    tooltip = _tooltip(labels, {"field": "series", "title": " "}, {"field": "period", "title": labels.t("period")})
    if mark == "line":
        x: dict[str, Any] = {
            "field": "date",
            "type": "temporal",
            "title": None,
            "axis": {"format": _time_format(grid), "labelOverlap": True},
        }
        many = len(grid.periods) > 40
        layers: list[dict[str, Any]] = [
            {
                "mark": {
                    "type": "line",
                    "strokeWidth": 2,
                    "point": False if many else {"filled": True, "size": 28},
                },
                "encoding": {"x": x, "y": y, "color": _colour(count, None), "tooltip": tooltip},
            },
        ]
        if any(r["flag"] for r in rows):  # flagged observations (estimated, provisional...) get a marker
            layers.append(
                {
                    "transform": [{"filter": "datum.flag != ''"}],
                    "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 90, "color": "#1f2933"},
                    "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"}, "tooltip": tooltip},
                }
            )
        inner: dict[str, Any] = {"layer": layers}
    else:
        order = list(dict.fromkeys(r["period"] for r in sorted(rows, key=lambda r: r["date"])))
        x = {
            "field": "period",
            "type": "ordinal",
            "title": None,
            "sort": order,
            "axis": {"labelOverlap": True, "labelAngle": 0 if len(order) < 12 else -45},
        }
        encoding: dict[str, Any] = {"x": x, "y": y, "color": _colour(count, None), "tooltip": tooltip}
        if mark == "bar" and count > 1:
            encoding["xOffset"] = {"field": "series", "sort": None}
        inner = {
            "mark": {"type": "bar", "strokeWidth": 1.5},
            "encoding": {
                **encoding,
                "stroke": {"condition": {"test": "datum.flag != ''", "value": "#1f2933"}, "value": None},
            },
        }
    if chart.panel_dimensions:
        return _frame(
            title,
            labels,
            data={"values": rows},
            facet={"field": "panel", "type": "nominal", "title": None, "sort": None},
            columns=2,
            spec={"width": 280, "height": 200, **inner},
            resolve={"scale": {"y": "independent"}},
        )
    return _frame(title, labels, width="container", height=340, data={"values": rows}, **inner)


def _ranking_rows(ranking: Ranking, labels: Labels, entries: int | None = None) -> list[dict[str, Any]]:
    grid = ranking.grid
    chosen = ranking.entries if entries is None else ranking.entries[:entries]
    return [
        _point(
            labels,
            e.cell,
            label=labels.key(grid.dimensions, e.key, labels.t("total")),
            period=labels.code("TIME_PERIOD", e.period),
        )
        for e in chosen
    ]


@view_spec.register
def _(ranking: Ranking, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    rows = _ranking_rows(ranking, labels, ranking.shown)
    value_title = labels.unit_title(ranking.grid.units(), ranking.grid.multipliers())
    y = {"field": "label", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 220}}
    return _frame(
        title,
        labels,
        width="container",
        height=max(120, 26 * len(rows)),
        data={"values": rows},
        layer=[
            {
                "mark": {"type": "bar", "color": PALETTE[0]},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "value",
                        "type": "quantitative",
                        "title": value_title,
                        "axis": {"labelExpr": axis_labels(labels.language)},
                    },
                    "tooltip": _tooltip(
                        labels,
                        {"field": "label", "title": " "},
                        {"field": "period", "title": labels.t("period")},
                    ),
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11, "color": "#1f2933"},
                "encoding": {
                    "y": y,
                    "x": {"field": "value", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            },
        ],
    )


def _base_map(ids: list[str] | None = None) -> dict[str, Any]:
    layer: dict[str, Any] = {
        "data": {"url": ATLAS_URL, "format": {"type": "topojson", "feature": "countries"}},
        "mark": {"type": "geoshape", "fill": "#e4e7eb", "stroke": "#ffffff", "strokeWidth": 0.4, "aria": False},
    }
    if ids is not None:
        layer["transform"] = [{"filter": {"field": "id", "oneOf": ids}}]
    return layer


NO_DATA = "#e4e7eb"
BLUES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]


def _round(value: float) -> float:
    """Two significant digits: 12_345 -> 12_000 (class breaks read better round)."""
    if value <= 0:
        return value
    digits = len(str(int(value))) - 2
    return float(round(value, -digits)) if digits > 0 else round(value, 2)


def class_breaks(values: list[float], classes: int = 5) -> list[float]:
    """Quantile class breaks rounded to two significant digits (fewer classes for few distinct values)."""
    ordered = sorted(v for v in values if v is not None)
    if len(set(ordered)) < 3:
        return []
    cuts = [_round(ordered[min(len(ordered) - 1, len(ordered) * i // classes)]) for i in range(1, classes)]
    return sorted({c for c in cuts if c > ordered[0]})


def map_colour(rows: list[dict[str, Any]], title: str, language: str) -> dict[str, Any]:
    """Colour by class of value: each row gets a ``band`` ("1.600–4.300"), drawn as an ordered legend."""
    breaks = class_breaks([r["value"] for r in rows if r.get("value") is not None])
    names = _band_names(breaks, language)
    for row in rows:
        value = row.get("value")
        row["band"] = names[sum(1 for b in breaks if value is not None and value >= b)]
    return {
        "field": "band",
        "type": "ordinal",
        "title": title,
        "scale": {"domain": names, "range": BLUES[1 : len(names) + 1] if len(names) < 5 else BLUES[: len(names)]},
        "legend": {
            "orient": "bottom",
            "direction": "horizontal",
            "symbolType": "square",
            "symbolSize": 200,
            "columns": 3,
        },
    }


def _band_names(breaks: list[float], language: str) -> list[str]:
    if not breaks:
        return [translate("value", language)]
    text = [format_number(b, language, 0 if float(b).is_integer() else 2) for b in breaks]
    names = [f"< {text[0]}"]
    names += [f"{low}–{high}" for low, high in itertools.pairwise(text)]
    return [*names, f"≥ {text[-1]}"]


def map_layers(rows: list[dict[str, Any]], labels: Labels, legend_title: str) -> list[dict[str, Any]]:
    """A choropleth by ISO numeric id, with dots for small states; ``rows`` have id, label and value."""
    colour = map_colour(rows, legend_title, labels.language)
    tooltip = _tooltip(labels, {"field": "label", "title": " "}, {"field": "period", "title": labels.t("period")})
    where = places()
    dots = [
        {**r, "longitude": where[r["id"]].longitude, "latitude": where[r["id"]].latitude}
        for r in rows
        if r["id"] in where and where[r["id"]].small
    ]
    return [
        {  # one layer draws every country of the atlas once: grey without data, by class of value with data
            "data": {"url": ATLAS_URL, "format": {"type": "topojson", "feature": "countries"}},
            "transform": [
                {
                    "lookup": "id",
                    "from": {
                        "data": {"values": rows},
                        "key": "id",
                        "fields": ["label", "value", "band", "text", "unit", "flag", "period", "href"],
                    },
                },
            ],
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4},
            "encoding": {
                "color": {**colour, "condition": {"test": "!isValid(datum.value)", "value": NO_DATA}},
                "tooltip": tooltip,
                "href": {"field": "href"},
            },
        },
        {
            "data": {"values": dots},
            "mark": {
                "type": "circle",
                "size": 70,
                "stroke": "#1f2933",
                "strokeWidth": 0.8,
                "opacity": 1,
                "cursor": "pointer",
            },
            "encoding": {
                "longitude": {"field": "longitude", "type": "quantitative"},
                "latitude": {"field": "latitude", "type": "quantitative"},
                "color": colour,
                "tooltip": tooltip,
                "href": {"field": "href"},
            },
        },
    ]


@view_spec.register
def _(area_map: AreaMap, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    codelist = labels.dataflow.structure.dimension(area_map.dimension).codelist  # type: ignore[union-attr]
    rows = [
        {**row, "id": iso_numeric(codelist, entry.key[0])}
        for entry, row in zip(area_map.ranking.entries, _ranking_rows(area_map.ranking, labels), strict=True)
    ]
    rows = [r for r in rows if r["id"]]
    grid = area_map.ranking.grid
    return _frame(
        title,
        labels,
        width="container",
        height=430,
        projection={"type": "equalEarth"},
        layer=map_layers(rows, labels, labels.unit_title(grid.units(), grid.multipliers())),
    )


@view_spec.register
def _(pyramid: Pyramid, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    rows = []
    for entry in pyramid.ranking.entries:
        sex, age = entry.key
        value = entry.cell.value or 0
        rows.append(
            _point(
                labels,
                entry.cell,
                sex=labels.code("SEX", sex),
                sexcode=sex,
                age=labels.code("AGE", age),
                signed=-value if sex == "M" else value,
                period=labels.code("TIME_PERIOD", entry.period),
            )
        )
    ages = [labels.code("AGE", a) for a in reversed(pyramid.ages)]
    widest = max((abs(r["signed"]) for r in rows), default=1) or 1
    sexes = [labels.code("SEX", s) for s in ("M", "F")]
    grid = pyramid.ranking.grid
    return _frame(
        title,
        labels,
        width="container",
        height=max(140, 40 * len(ages)),
        data={"values": rows},
        mark={"type": "bar"},
        encoding={
            "y": {"field": "age", "type": "ordinal", "sort": ages, "title": None},
            "x": {
                "field": "signed",
                "type": "quantitative",
                "scale": {"domain": [-widest, widest], "nice": True},
                "title": labels.unit_title(grid.units(), grid.multipliers()),
                "axis": {"labelExpr": axis_labels(labels.language).replace("datum.value", "abs(datum.value)")},
            },
            "color": {
                "field": "sex",
                "type": "nominal",
                "title": None,
                "sort": sexes,
                "scale": {"domain": sexes, "range": [SEX_COLOURS["M"], SEX_COLOURS["F"]]},
                "legend": {"orient": "top"},
            },
            "tooltip": _tooltip(
                labels,
                {"field": "sex", "title": " "},
                {"field": "age", "title": labels.dimension("AGE")},
                {"field": "period", "title": labels.t("period")},
            ),
        },
    )


@view_spec.register
def _(corridors: Corridors, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    structure = labels.dataflow.structure
    origin_list = structure.dimension(corridors.origin).codelist  # type: ignore[union-attr]
    destination_list = structure.dimension(corridors.destination).codelist  # type: ignore[union-attr]
    where = places()
    features, ends = [], {}
    for entry in corridors.ranking.entries:
        origin, destination = (
            iso_numeric(origin_list, entry.key[0]),
            iso_numeric(destination_list, entry.key[1]),
        )
        if not origin or not destination or origin == destination or origin not in where or destination not in where:
            continue
        a, b = where[origin], where[destination]
        label = f"{labels.code(corridors.origin, entry.key[0])} → {labels.code(corridors.destination, entry.key[1])}"
        properties = _point(labels, entry.cell, label=label, period=labels.code("TIME_PERIOD", entry.period))
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[a.longitude, a.latitude], [b.longitude, b.latitude]],
                },
                "properties": properties,
                **properties,
            }
        )
        ends[destination] = {
            "longitude": b.longitude,
            "latitude": b.latitude,
            "label": labels.code(corridors.destination, entry.key[1]),
        }
        if len(features) >= MAX_LINES:
            break
    grid = corridors.ranking.grid
    width = {
        "field": "value",
        "type": "quantitative",
        "title": labels.unit_title(grid.units(), grid.multipliers()),
        "scale": {"range": [0.8, 9]},
        "legend": {"orient": "bottom", "format": ",.0f", "symbolType": "stroke", "symbolStrokeColor": PALETTE[1]},
    }
    return _frame(
        title,
        labels,
        width="container",
        height=430,
        projection={"type": "equalEarth"},
        layer=[
            _base_map(),
            {
                "data": {"values": features},
                "mark": {
                    "type": "geoshape",
                    "filled": False,
                    "stroke": PALETTE[1],
                    "strokeOpacity": 0.75,
                    "strokeCap": "round",
                },
                "encoding": {
                    "strokeWidth": width,
                    "tooltip": _tooltip(
                        labels,
                        {"field": "label", "title": " "},
                        {"field": "period", "title": labels.t("period")},
                    ),
                },
            },
            {
                "data": {"values": list(ends.values())},
                "mark": {"type": "circle", "size": 60, "color": PALETTE[0], "stroke": "#ffffff"},
                "encoding": {
                    "longitude": {"field": "longitude", "type": "quantitative"},
                    "latitude": {"field": "latitude", "type": "quantitative"},
                    "tooltip": [{"field": "label", "title": " "}],
                },
            },
        ],
    )


@view_spec.register
def _(chart: SeriesChart, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    return series_spec(chart, labels, title, view)
