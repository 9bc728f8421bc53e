"""Vega-Lite specifications of the explorer's maps: a choropleth by class of value (with dots that keep small
island states visible) and origin-destination corridors drawn as great-circle lines, each fitted to the places
with data (the Americas when none is located), formatting only."""

from __future__ import annotations

from typing import Any

from pivgm.catalog.grid import period_order
from pivgm.catalog.views import AreaMap, Corridors, RankEntry
from pivgm.web.chart_parts import PALETTE, frame, point, tooltip_fields
from pivgm.web.explorer_charts import ranking_rows
from pivgm.web.i18n import format_count
from pivgm.web.labels import Labels
from pivgm.web.map_classes import MapClass, class_of, map_classes
from pivgm.web.maps import atlas_url, iso_numeric, places


def base_map(ids: list[str] | None = None) -> dict[str, Any]:
    layer: dict[str, Any] = {
        "data": {"url": atlas_url(), "format": {"type": "topojson", "feature": "countries"}},
        "mark": {"type": "geoshape", "fill": "#e4e7eb", "stroke": "#ffffff", "strokeWidth": 0.4, "aria": False},
    }
    if ids is not None:
        layer["transform"] = [{"filter": {"field": "id", "oneOf": ids}}]
    return layer


NO_DATA = "#e4e7eb"
BLUES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]
ORANGES = ["#fdd0a2", "#fd8d3c", "#d94801"]  # falls of a signed figure, darker further below zero
SLOT = "slot"  # the map's period: a signal the period slider sets (map-slider.js)
AMERICAS = (-125.0, -56.0, -34.0, 50.0)  # west, south, east, north: the extent without data to fit
SIGNIFICANT = 0.01  # places whose figure is under 1 % of the largest do not widen the map
MOST_OF_FLOWS = 0.95  # a corridors map is fitted to the largest corridors carrying this share of its total


def class_colours(classes: list[MapClass]) -> list[str]:
    """Blues by class, lightest lowest; with falls and rises, oranges below zero (darkest lowest), blues above."""
    falls = sum(1 for c in classes if c.high < 0)
    rises = len(classes) - falls
    blues = BLUES[1 : rises + 1] if rises < 5 else BLUES[:rises]
    return [*ORANGES[:falls][::-1], *blues]


def map_colour(rows: list[dict[str, Any]], title: str, locale: str) -> dict[str, Any]:
    """Colour by class of value: each row gets a ``band`` named by its class limits (``1,200 – 5,000``),
    drawn as an ordered legend; the classes are natural breaks over every row (all periods of a slider)."""
    classes = map_classes([r["value"] for r in rows if r.get("value") is not None], locale)
    for row in rows:
        row["band"] = class_of(row.get("value"), classes)
    names = [c.name for c in classes]
    return {
        "field": "band",
        "type": "ordinal",
        "title": title,
        "scale": {"domain": names, "range": class_colours(classes)},
        "legend": {
            "orient": "bottom",
            "direction": "horizontal",
            "symbolType": "square",
            "symbolSize": 200,
            "columns": 3,
            "titleLimit": 0,
            "labelLimit": 0,
        },
    }


def map_layers(
    rows: list[dict[str, Any]], labels: Labels, legend_title: str, slotted: bool = False
) -> list[dict[str, Any]]:
    """A choropleth by ISO numeric id, with dots for small states; ``rows`` have id, label and value, and,
    when ``slotted``, the ``slot`` (period) they belong to: the map draws the rows of the slider's slot."""
    colour = map_colour(rows, legend_title, labels.numbers)
    tooltip = tooltip_fields(labels, {"field": "label", "title": " "}, {"field": "period", "title": labels.t("period")})
    where = places()
    for row in rows:
        row["key"] = f"{row['id']}|{row[SLOT]}" if slotted else row["id"]
    dots = [
        {**r, "longitude": where[r["id"]].longitude, "latitude": where[r["id"]].latitude}
        for r in rows
        if r["id"] in where and where[r["id"]].small
    ]
    key = {"calculate": f"datum.id + '|' + {SLOT}", "as": "key"} if slotted else {"calculate": "datum.id", "as": "key"}
    in_slot = [{"filter": f"datum.{SLOT} == {SLOT}"}] if slotted else []
    return [
        {  # one layer draws every country of the atlas once: grey without data, by class of value with data
            "data": {"url": atlas_url(), "format": {"type": "topojson", "feature": "countries"}},
            "transform": [
                key,
                {
                    "lookup": "key",
                    "from": {
                        "data": {"values": rows},
                        "key": "key",
                        "fields": ["label", "value", "band", "text", "unit", "flag", "period", "href"],
                    },
                },
            ],
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4, "clip": True},
            "encoding": {
                "color": {**colour, "condition": {"test": "!isValid(datum.value)", "value": NO_DATA}},
                "tooltip": tooltip,
                "href": {"field": "href"},
            },
        },
        {
            "data": {"values": dots},
            "transform": in_slot,
            "mark": {
                "type": "circle",
                "size": 70,
                "stroke": "#1f2933",
                "strokeWidth": 0.8,
                "opacity": 1,
                "cursor": "pointer",
                "clip": True,
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


def extent(rows: list[dict[str, Any]], points: list[tuple[float, float]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """What the projection fits: the outlines of the places that matter on the map (in some period, a figure
    of at least 1 % of the largest) and located points; the Americas when nothing is located."""
    where = places()
    largest = max((abs(r["value"]) for r in rows if r.get("value") is not None), default=0.0)
    corners: list[list[float]] = [[lon, lat] for lon, lat in points]
    for row in rows:
        value = row.get("value")
        if row["id"] in where and value is not None and abs(value) >= SIGNIFICANT * largest:
            west, south, east, north = where[row["id"]].bounds
            corners += [[west, south], [east, north], [west, north], [east, south]]
    if not corners:
        west, south, east, north = AMERICAS
        corners = [[west, south], [east, north]]
    return {"type": "Feature", "properties": {}, "geometry": {"type": "MultiPoint", "coordinates": corners}}


def slot_rows(area_map: AreaMap, labels: Labels, codelist: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per area and period of the map (slots 0..n-1), then the view's own figure per area (slot n:
    the sum over the periods, or the latest period), with the names of the slots for the slider."""
    grid = area_map.ranking.grid
    periods = list(grid.periods)
    rows: list[dict[str, Any]] = []
    if len(periods) > 1:
        for key in grid.keys:
            identifier = iso_numeric(codelist, key[0])
            for period, cell in grid.series(key):
                if identifier and cell is not None and cell.value is not None:
                    rows.append(
                        point(
                            labels,
                            cell,
                            id=identifier,
                            label=labels.key(grid.dimensions, key, labels.t("total")),
                            period=labels.code("TIME_PERIOD", period),
                            slot=periods.index(period),
                        )
                    )
    whole = len(periods) if len(periods) > 1 else 0
    for entry, row in zip(area_map.ranking.entries, ranking_rows(area_map.ranking, labels), strict=True):
        identifier = iso_numeric(codelist, entry.key[0])
        if identifier:
            rows.append({**row, "id": identifier, SLOT: whole})
    names = [labels.code("TIME_PERIOD", p) for p in periods] if len(periods) > 1 else []
    if names:
        first, last = names[0], names[-1]
        names.append(f"{first} – {last}" if area_map.ranking.summed_over_time else _latest_name(area_map, labels))
    return rows, names


def _latest_name(area_map: AreaMap, labels: Labels) -> str:
    """The slider's last stop on a map of each area's latest figure, naming the periods when they differ
    (one country's latest year is 2023, the others' 2024)."""
    name = labels.t("map_period_all_latest")
    latest = sorted({e.period for e in area_map.ranking.entries if e.cell.value is not None}, key=period_order)
    if len(latest) > 1:
        first, last = (labels.code("TIME_PERIOD", p) for p in (latest[0], latest[-1]))
        name += f" ({first} – {last})"
    return name


def area_map_spec(area_map: AreaMap, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    codelist = labels.dataflow.structure.dimension(area_map.dimension).codelist  # type: ignore[union-attr]
    rows, slots = slot_rows(area_map, labels, codelist)
    grid = area_map.ranking.grid
    spec = frame(
        title,
        labels,
        width="container",
        height=430,
        projection={"type": "equalEarth", "fit": extent(rows)},
        params=[{"name": SLOT, "value": max(0, len(slots) - 1)}],
        layer=map_layers(rows, labels, labels.unit_title(grid.units(), grid.multipliers()), slotted=True),
    )
    if slots:
        spec["usermeta"] = {"slider": {"label": labels.t("period"), "slots": slots, "value": len(slots) - 1}}
    return spec


def corridors_spec(corridors: Corridors, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    structure = labels.dataflow.structure
    origin_list = structure.dimension(corridors.origin).codelist  # type: ignore[union-attr]
    destination_list = structure.dimension(corridors.destination).codelist  # type: ignore[union-attr]
    where = places()
    features, ends, unplaced, placed = [], {}, [], []
    for entry in corridors.ranking.entries[: corridors.ranking.shown]:
        origin, destination = (
            iso_numeric(origin_list, entry.key[0]),
            iso_numeric(destination_list, entry.key[1]),
        )
        if not origin or not destination or origin == destination or origin not in where or destination not in where:
            unplaced.append(entry)
            continue
        a, b = where[origin], where[destination]
        placed.append((origin, destination, entry.cell.value or 0.0))
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
        projection={"type": "equalEarth", "fit": extent(_carrying_most(placed))},
        layer=[
            {**base_map(), "mark": {**base_map()["mark"], "clip": True}},
            {
                "data": {"values": features},
                "mark": {
                    "type": "geoshape",
                    "clip": True,
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
                "mark": {"type": "circle", "size": 60, "color": PALETTE[0], "stroke": "#ffffff", "clip": True},
                "encoding": {
                    "longitude": {"field": "longitude", "type": "quantitative"},
                    "latitude": {"field": "latitude", "type": "quantitative"},
                    "tooltip": [{"field": "label", "title": " "}],
                },
            },
            *_not_drawn(corridors, unplaced, labels),
        ],
    )


def _carrying_most(lines: list[tuple[str, str, float]]) -> list[dict[str, Any]]:
    """Both ends of the largest corridors that together carry :data:`MOST_OF_FLOWS` of what the map draws:
    the map is fitted to them, and the thin lines of small, far corridors run out of its frame (they are in
    its table), so that flows into Mexico are drawn on the Americas, not on the world."""
    total = sum(abs(value) for _, _, value in lines)
    ends: list[dict[str, Any]] = []
    carried = 0.0
    for origin, destination, value in sorted(lines, key=lambda line: -abs(line[2])):
        if total and carried >= MOST_OF_FLOWS * total:
            break
        ends += [{"id": origin, "value": value}, {"id": destination, "value": value}]
        carried += abs(value)
    return ends


def _not_drawn(corridors: Corridors, unplaced: list[RankEntry], labels: Labels) -> list[dict[str, Any]]:
    """Lines of text in the map's corner for what the lines leave out, so that the map adds up as its table:
    "Others" (the corridors after the top, added up) and the top corridors with no place on the map."""
    ranking = corridors.ranking
    lines = [
        f"{labels.code(corridors.origin, e.key[0])} → {labels.code(corridors.destination, e.key[1])}: "
        f"{labels.value(e.cell)}"
        for e in unplaced
    ]
    rest = len(ranking.entries) - ranking.shown
    if ranking.others is not None:
        lines.append(
            labels.t("corridors_others").format(
                count=format_count(rest, labels.numbers), value=labels.value(ranking.others.cell)
            )
        )
    elif rest:
        lines.append(labels.t("corridors_not_drawn").format(count=format_count(rest, labels.numbers)))
    if not lines:
        return []
    return [
        {
            "data": {"values": [{"y": 4 + 15 * i, "text": text} for i, text in enumerate(lines)]},
            "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "color": "#1f2933"},
            "encoding": {
                "x": {"value": 4},
                "y": {"field": "y", "type": "quantitative", "scale": None},  # pixels from the top
                "text": {"field": "text"},
            },
        }
    ]
