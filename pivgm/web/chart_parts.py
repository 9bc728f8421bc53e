"""The parts every chart of the explorer shares: look, number labels in the page's language, tooltips that
say what a figure is (value, unit, observation status), and the frame of a specification."""

from __future__ import annotations

from typing import Any

from pivgm.catalog.grid import Cell
from pivgm.web.i18n import compact_unit
from pivgm.web.labels import Labels

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
        "title": {
            "anchor": "start",
            "fontSize": 15,
            "subtitleFontSize": 12,
            "subtitleColor": "#52606d",
        },
        "range": {"category": PALETTE},
        # marks are not read one by one (their labels would be internal field names, in English): the chart's
        # description says what is shown and the table under it gives every figure
        "mark": {"aria": False},
    }


def axis_labels(locale: str, largest: float) -> str:
    """Axis numbers in one unit for the whole axis, chosen by its ``largest`` value (CLDR compact: 0.5 M,
    1 M, 1.5 M; never 900,000 beside 1 M), written with the chart's d3 locale (es-419: 1,234.5)."""
    divisor, suffix = compact_unit(largest, locale)
    if divisor == 1:
        return "format(datum.value, ',~r')"
    return f"datum.value == 0 ? '0' : format(datum.value / {divisor:g}, ',.3~r') + '{suffix}'"


def flags(cell: Cell, labels: Labels) -> str:
    return "; ".join(labels.status(code) for code in cell.flags)


def point(labels: Labels, cell: Cell, **fields: Any) -> dict[str, Any]:
    interval = cell.interval
    return {
        **fields,
        "value": cell.value,
        "text": labels.value(cell),
        "unit": labels.unit(cell),
        "flag": flags(cell, labels),
        "n": cell.observations,
        **({"low": interval[0], "high": interval[1]} if interval is not None else {}),
    }


def error_bars(value_axis: str, encoding: dict[str, Any]) -> dict[str, Any]:
    """A layer of 90 % confidence intervals (value ± margin of error) over a chart's marks, for the rows
    that have one; ``encoding`` places them as the chart's marks are placed (position, colour, offset)."""
    other = "x" if value_axis == "y" else "y"
    return {
        "transform": [{"filter": "isValid(datum.low)"}],
        "mark": {"type": "rule", "strokeWidth": 1.5, "opacity": 0.8},
        "encoding": {
            **{k: v for k, v in encoding.items() if k not in (value_axis, other, "tooltip")},
            other: encoding[other],
            value_axis: {"field": "low", "type": "quantitative"},
            f"{value_axis}2": {"field": "high"},
            "tooltip": encoding.get("tooltip"),
        },
    }


def frame(title: dict[str, Any], labels: Labels, **spec: Any) -> dict[str, Any]:
    """A complete spec; its description (the title and the selection) is what screen readers announce."""
    description = " ".join([title.get("text", ""), *title.get("subtitle", [])]).strip()
    # the title is not read apart: the chart's description starts with it
    return {
        "$schema": SCHEMA,
        "title": {**title, "aria": False},
        "description": description,
        **spec,
        "config": config(),
    }


def tooltip_fields(labels: Labels, *first: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *first,
        {"field": "text", "title": labels.t("value")},
        {"field": "unit", "title": labels.t("unit")},
        {"field": "flag", "title": labels.t("obs_status")},
    ]


def colour(count: int, title: str | None) -> dict[str, Any]:
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
