"""Located incidents on the explorer's map (flows whose observations carry LATITUDE and LONGITUDE, such as
the Missing Migrants incidents): drawn as circles sized by their figure, incidents close to each other
clustered into one circle per cell of a one-degree grid, per period of the slider (formatting only)."""

from __future__ import annotations

import math
from typing import Any

from pivgm.catalog.explore import ExplorerView
from pivgm.web.i18n import format_number
from pivgm.web.labels import Labels
from pivgm.web.map_charts import SLOT

LATITUDE, LONGITUDE, PLACE = "LATITUDE", "LONGITUDE", "LOCATION_DESCRIPTION"
CELL = 1.0  # degrees (about 100 km): incidents in one cell of this grid are drawn as one circle
COLOUR = "#b3261e"
Located = tuple[float, float, float, str, str]  # longitude, latitude, figure, period, place


def _number(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def located(view: ExplorerView) -> list[Located]:
    """(longitude, latitude, figure, period, place) of each located observation of the selection."""
    data = view.data
    if data is None or not {LATITUDE, LONGITUDE} <= set(data.table.column_names):
        return []
    table = data.table
    places = table.column(PLACE).to_pylist() if PLACE in table.column_names else [""] * table.num_rows
    found = []
    for lat, lon, value, period, place in zip(
        table.column(LATITUDE).to_pylist(),
        table.column(LONGITUDE).to_pylist(),
        table.column("OBS_VALUE").to_pylist(),
        table.column("TIME_PERIOD").to_pylist(),
        places,
        strict=True,
    ):
        latitude, longitude = _number(lat), _number(lon)
        if latitude is None or longitude is None or value is None or not -90 <= latitude <= 90:
            continue
        found.append((longitude, latitude, float(value), str(period), str(place or "")))
    return found


def clusters(points: list[Located], slots: dict[str, int], whole: int, labels: Labels) -> list[dict[str, Any]]:
    """One row per slot and grid cell: where its incidents are on average, their total and their count."""
    cells: dict[tuple[int, int, int], list[Located]] = {}
    for point in points:
        cell = (math.floor(point[0] / CELL), math.floor(point[1] / CELL))
        for slot in {slots.get(point[3], whole), whole}:
            cells.setdefault((slot, *cell), []).append(point)
    rows = []
    for (slot, _, _), members in sorted(cells.items()):
        total = sum(m[2] for m in members)
        count = len(members)
        place = (
            members[0][4]
            if count == 1
            else labels.t("incident_count").format(count=format_number(count, labels.numbers))
        )
        rows.append(
            {
                SLOT: slot,
                "longitude": round(sum(m[0] for m in members) / count, 3),
                "latitude": round(sum(m[1] for m in members) / count, 3),
                "value": total,
                "text": format_number(total, labels.numbers),
                "count": count,
                "place": place,
            }
        )
    return rows


def with_incidents(spec: dict[str, Any], view: ExplorerView, labels: Labels) -> dict[str, Any]:
    """``spec`` (a map) with a layer of clustered incident circles, its extent widened to take them in."""
    points = located(view)
    if not points or "projection" not in spec:
        return spec
    grid = view.grid
    periods = list(grid.periods) if grid is not None else []
    slider = (spec.get("usermeta") or {}).get("slider")
    slots = {p: i for i, p in enumerate(periods)} if slider else {}
    whole = len(periods) if slider else 0
    rows = clusters(points, slots, whole, labels)
    fit = spec["projection"].get("fit")
    if fit is not None:
        fit["geometry"]["coordinates"] += [[r["longitude"], r["latitude"]] for r in rows if r[SLOT] == whole]
    spec["layer"].append(
        {
            "data": {"values": rows},
            "transform": [{"filter": f"datum.{SLOT} == {SLOT}"}],
            "mark": {
                "type": "circle",
                "color": COLOUR,
                "opacity": 0.65,
                "stroke": "#ffffff",
                "strokeWidth": 0.6,
                "clip": True,
            },
            "encoding": {
                "longitude": {"field": "longitude", "type": "quantitative"},
                "latitude": {"field": "latitude", "type": "quantitative"},
                "size": {
                    "field": "value",
                    "type": "quantitative",
                    "scale": {"type": "sqrt", "range": [12, 900]},
                    "legend": {"title": labels.t("incidents"), "orient": "bottom", "titleLimit": 0},
                },
                "tooltip": [
                    {"field": "place", "title": labels.t("incident_place")},
                    {"field": "text", "title": labels.t("value")},
                ],
            },
            "description": labels.t("incidents"),
        }
    )
    return spec
