"""The review page's chart: the provider's figures by period as published and as submitted."""

from __future__ import annotations

from typing import Any

from pivgm.model.periods import parse_period
from pivgm.web.chart_parts import axis_labels
from pivgm.web.i18n import translate
from pivgm.workflow.changes import Changes


def totals_spec(changes: Changes, language: str) -> dict[str, Any]:
    """Two lines (published, submitted) over the periods either has, for vega-embed."""
    published, submitted = translate("review_published", language), translate("review_submitted", language)
    rows = []
    for period, before, after in changes.totals:
        date = parse_period(period).start.isoformat()
        if before is not None:
            rows.append({"date": date, "period": period, "value": before, "series": published})
        if after is not None:
            rows.append({"date": date, "period": period, "value": after, "series": submitted})
    value_title = translate("value", language)
    largest = max((abs(v) for _, *pair in changes.totals for v in pair if v is not None), default=0.0)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": 220,
        "data": {"values": rows},
        "mark": {"type": "line", "tooltip": True, "point": True},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": translate("period", language)},
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": value_title,
                "axis": {"labelExpr": axis_labels(language, largest)},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [published, submitted], "range": ["#9aa5b1", "#0b5fa5"]},
                "legend": {"orient": "bottom"},
            },
            "strokeDash": {"field": "series", "type": "nominal", "legend": None},
            "tooltip": [
                {"field": "series", "title": " "},
                {"field": "period", "title": translate("period", language)},
                {"field": "value", "title": value_title, "format": ",.0f"},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"grid": True, "gridColor": "#e5e7eb"}},
    }
