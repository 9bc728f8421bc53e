"""Vega-Lite specifications of the explorer's maps: a choropleth by class of value (with dots that keep small
island states visible) and origin-destination corridors drawn as great-circle lines (formatting only)."""

from __future__ import annotations

import itertools
from typing import Any

from pivgm.catalog.views import AreaMap, Corridors
from pivgm.web.chart_parts import PALETTE, frame, point, tooltip_fields
from pivgm.web.explorer_charts import ranking_rows
from pivgm.web.i18n import format_number, translate
from pivgm.web.labels import Labels
from pivgm.web.maps import ATLAS_URL, iso_numeric, places

MAX_LINES = 25


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
    tooltip = tooltip_fields(labels, {"field": "label", "title": " "}, {"field": "period", "title": labels.t("period")})
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


def area_map_spec(area_map: AreaMap, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    codelist = labels.dataflow.structure.dimension(area_map.dimension).codelist  # type: ignore[union-attr]
    rows = [
        {**row, "id": iso_numeric(codelist, entry.key[0])}
        for entry, row in zip(area_map.ranking.entries, ranking_rows(area_map.ranking, labels), strict=True)
    ]
    rows = [r for r in rows if r["id"]]
    grid = area_map.ranking.grid
    return frame(
        title,
        labels,
        width="container",
        height=430,
        projection={"type": "equalEarth"},
        layer=map_layers(rows, labels, labels.unit_title(grid.units(), grid.multipliers())),
    )


def corridors_spec(corridors: Corridors, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
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
        properties = point(labels, entry.cell, label=label, period=labels.code("TIME_PERIOD", entry.period))
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
    return frame(
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
                    "tooltip": tooltip_fields(
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
