"""Vega-Lite specifications built from service results (formatting only)."""

from __future__ import annotations

from typing import Any

from pivgm.catalog.service import HighlightView
from pivgm.model.periods import parse_period
from pivgm.web.chart_parts import axis_labels, error_bars
from pivgm.web.formats import estimate_places
from pivgm.web.i18n import translate


def _label(view: HighlightView, dimension_id: str, code: str, language: str) -> str:
    dimension = view.summary.dataflow.structure.dimension(dimension_id)
    if dimension is None or dimension.codelist is None:
        return code
    found = dimension.codelist.get(code)
    return found.name.get(language) if found else code


def unit_title(view: HighlightView, language: str) -> str:
    """The y axis title: the dataflow's unit (persons, US dollars...) when it has one, else "Value"."""
    dataflow = view.summary.dataflow
    unit = dataflow.defaults.get("UNIT_MEASURE")
    attribute = dataflow.structure.attribute("UNIT_MEASURE")
    if unit and attribute is not None and attribute.codelist is not None:
        code = attribute.codelist.get(unit)
        if code is not None:
            return code.name.get(language)
    return translate("value", language)


def highlight_rows(view: HighlightView, language: str) -> list[dict[str, Any]]:
    """The chart's data: one row per period (and series), with labels in ``language``."""
    assert view.data is not None and view.highlight is not None
    series = view.highlight.series
    rows = []
    for row in view.data.table.to_pylist():
        period = row["TIME_PERIOD"]
        item = {"period": period, "date": parse_period(period).start.isoformat(), "value": row["OBS_VALUE"]}
        if row.get("OBS_MOE") and row["OBS_VALUE"] is not None:  # a survey estimate: its 90 % interval
            moe = float(row["OBS_MOE"])
            item |= {"moe": moe, "low": row["OBS_VALUE"] - moe, "high": row["OBS_VALUE"] + moe}
        if series:
            item["series"] = _label(view, series, row[series], language)
        rows.append(item)
    return rows


def _largest(rows: list[dict[str, Any]]) -> float:
    return max((abs(r["value"]) for r in rows if r["value"] is not None), default=0.0)


def highlight_spec(view: HighlightView, language: str) -> dict[str, Any]:
    """A line or bar chart of the highlight, ready for vega-embed."""
    assert view.highlight is not None
    rows = highlight_rows(view, language)
    period_title = translate("period", language)
    value_title = unit_title(view, language)
    if view.highlight.mark == "line":
        x_axis = {
            "field": "date",
            "type": "temporal",
            "title": period_title,
            "axis": {"labelOverlap": "greedy"},
        }
    else:
        x_axis = {
            "field": "period",
            "type": "ordinal",
            "title": period_title,
            "axis": {"labelOverlap": "greedy"},
        }
    encoding: dict[str, Any] = {
        "x": x_axis,
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": value_title,
            "axis": {"labelExpr": axis_labels(language, _largest(rows))},
        },
        "tooltip": [
            {"field": "period", "title": period_title},
            {"field": "value", "title": value_title, "format": ",.0f"},
        ],
    }
    if view.highlight.series:
        encoding["color"] = {
            "field": "series",
            "type": "nominal",
            "title": None,
            "legend": {"orient": "bottom", "columns": 2, "labelLimit": 180},
        }
        encoding["tooltip"].insert(0, {"field": "series", "title": " "})
    mark = {"type": view.highlight.mark, "tooltip": True, **({"point": False} if view.highlight.mark == "line" else {})}
    drawn: dict[str, Any] = {"mark": mark, "encoding": encoding}
    if any("moe" in r for r in rows):
        places = max(estimate_places(r["value"], r["moe"]) for r in rows if "moe" in r)
        encoding["tooltip"][-1]["format"] = f",.{places}f"
        encoding["tooltip"].append({"field": "moe", "title": "±", "format": f",.{places}f"})
        bars = error_bars("y", {**encoding, "color": encoding.get("color", {"value": "#1f2933"})})
        drawn = {"layer": [drawn, bars]}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": 220,
        "data": {"values": rows},
        **drawn,
        "config": {
            "view": {"stroke": None},
            "axis": {"grid": True, "gridColor": "#e5e7eb"},
            "range": {"category": ["#0b5fa5", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"]},
        },
    }
