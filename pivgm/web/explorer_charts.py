"""Vega-Lite specifications of the explorer's charts over time and of its rankings (formatting only).

Every data row carries the figure's localized text, unit and observation status, so tooltips, legends and
exported images say what a number is; flagged observations are drawn with a marker.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pivgm.catalog.grid import Grid
from pivgm.catalog.views import Pyramid, Ranking, SeriesChart
from pivgm.model.periods import parse_period
from pivgm.web.chart_parts import (
    PALETTE,
    SEX_COLOURS,
    axis_labels,
    colour,
    error_bars,
    frame,
    point,
    tooltip_fields,
)
from pivgm.web.labels import Labels
from pivgm.web.time_axes import missing_periods, period_run


def _time_format(grid: Grid) -> str:
    frequencies = {parse_period(p).frequency.value for p in grid.periods}
    return "%Y" if frequencies == {"A"} else "%b %Y"


def _reach(rows: list[dict[str, Any]], stacked: bool, panelled: bool) -> float:
    """How far the value axis reaches: the largest figure (or stack); with independent panels the smallest
    panel's reach, so that no panel's labels are shrunk to "0.01 M"."""
    stacks: dict[tuple[str, str], float] = defaultdict(float)
    for index, row in enumerate(rows):
        if row["value"] is not None:
            stacks[(row["panel"] if panelled else "", row["date"] if stacked else str(index))] += abs(row["value"])
    panels: dict[str, float] = defaultdict(float)
    for (panel, _), total in stacks.items():
        panels[panel] = max(panels[panel], total)
    return min(panels.values(), default=0.0)


def gap_row(labels: Labels, period: str, **fields: Any) -> dict[str, Any]:
    """A period without a figure, drawn as nothing (a line breaks there)."""
    start = parse_period(period).start.isoformat()
    label = labels.code("TIME_PERIOD", period)
    return {"date": start, "period": label, **fields, "value": None, "text": "", "unit": "", "flag": "", "n": 0}


OUTLYING = 50  # a figure this many times the typical (median) size flattens the rest of a linear axis


def outlying_changes(values: list[float]) -> bool:
    """Whether signed figures (falls and rises) hold one so far beyond the typical size that a linear axis
    flattens the rest: such a line chart is drawn on a symmetric log scale."""
    sizes = sorted(abs(v) for v in values)
    if not sizes or min(values) >= 0 or max(values) <= 0:
        return False
    typical = sizes[len(sizes) // 2]
    return typical > 0 and sizes[-1] > OUTLYING * typical


def _compress_outliers(y: dict[str, Any], values: list[float], labels: Labels) -> None:
    """A symmetric log scale, said in the axis title, where :func:`outlying_changes` holds."""
    if outlying_changes(values):
        y["scale"] = {"type": "symlog"}  # one 89,700 % rise flattened every other change to a line at zero
        y["title"] = f"{y['title']} ({labels.t('axis_symlog')})"


def series_spec(chart: SeriesChart, labels: Labels, title: dict[str, Any], mark: str) -> dict[str, Any]:
    """Lines, grouped bars or stacked bars over time; panels when dimensions go to rows or columns."""
    grid = chart.grid
    run = period_run(grid.periods)
    rows = []
    for series in chart.series:
        name = labels.key(chart.colour_dimensions, series.colour, labels.only_series)
        panel = labels.key(chart.panel_dimensions, series.panel)
        points = grid.series(series.key)
        if mark == "line":  # a missing period breaks the line: a row without a value
            rows += [
                gap_row(labels, period, series=name, panel=panel)
                for period in missing_periods([p for p, _ in points], run)
            ]
        for period, cell in points:
            start = parse_period(period).start.isoformat()
            rows.append(
                point(
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
        "axis": {
            "labelExpr": axis_labels(labels.language, _reach(rows, mark == "stacked", bool(chart.panel_dimensions)))
        },
        **({"stack": "zero"} if mark == "stacked" else {}),
    }
    tooltip = tooltip_fields(
        labels, {"field": "series", "title": " "}, {"field": "period", "title": labels.t("period")}
    )
    if mark == "line":
        _compress_outliers(y, [r["value"] for r in rows if r.get("value") is not None], labels)
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
                "encoding": {"x": x, "y": y, "color": colour(count, None), "tooltip": tooltip},
            },
        ]
        if any("low" in r for r in rows):  # survey estimates: their 90 % confidence intervals
            layers.append(error_bars("y", {"x": x, "y": y, "color": colour(count, None), "tooltip": tooltip}))
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
        # every period of the span, those without figures too: bars are spaced by time, a gap stays a gap
        order = [labels.code("TIME_PERIOD", p) for p in run]
        x = {
            "field": "period",
            "type": "ordinal",
            "title": None,
            "sort": order,
            "scale": {"domain": order},
            "axis": {"labelOverlap": True, "labelAngle": 0 if len(order) < 12 else -45},
        }
        encoding: dict[str, Any] = {"x": x, "y": y, "color": colour(count, None), "tooltip": tooltip}
        if mark == "bar" and count > 1:
            encoding["xOffset"] = {"field": "series", "sort": None}
        inner = {
            "mark": {"type": "bar", "strokeWidth": 1.5},
            "encoding": {
                **encoding,
                "stroke": {"condition": {"test": "datum.flag != ''", "value": "#1f2933"}, "value": None},
            },
        }
        if mark == "bar" and any("low" in r for r in rows):  # survey estimates: their 90 % confidence intervals
            bars = {**encoding, "color": {"value": "#1f2933"}}
            inner = {"layer": [{"mark": inner["mark"], "encoding": inner["encoding"]}, error_bars("y", bars)]}
    if chart.panel_dimensions:
        return frame(
            title,
            labels,
            data={"values": rows},
            facet={"field": "panel", "type": "nominal", "title": None, "sort": None},
            columns=2,
            spec={"width": 280, "height": 200, **inner},
            resolve={"scale": {"y": "independent"}},
        )
    return frame(title, labels, width="container", height=340, data={"values": rows}, **inner)


def ranking_rows(ranking: Ranking, labels: Labels, entries: int | None = None) -> list[dict[str, Any]]:
    grid = ranking.grid
    chosen = ranking.entries if entries is None else ranking.entries[:entries]
    return [
        point(
            labels,
            e.cell,
            label=labels.key(grid.dimensions, e.key, labels.t("total")),
            period=labels.code("TIME_PERIOD", e.period),
        )
        for e in chosen
    ]


def others_row(ranking: Ranking, labels: Labels) -> list[dict[str, Any]]:
    """The "Others" bar: what the top leaves out, added up (none where figures do not add up)."""
    if ranking.others is None:
        return []
    return [
        point(
            labels,
            ranking.others.cell,
            label=labels.t("others"),
            period=labels.code("TIME_PERIOD", ranking.others.period),
        )
    ]


def ranking_spec(ranking: Ranking, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    rows = ranking_rows(ranking, labels, ranking.shown) + others_row(ranking, labels)
    value_title = labels.unit_title(ranking.grid.units(), ranking.grid.multipliers())
    y = {"field": "label", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 220}}
    return frame(
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
                        "axis": {"labelExpr": axis_labels(labels.language, _reach(rows, False, False))},
                    },
                    "tooltip": tooltip_fields(
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
                    "x": {"field": "high" if all("high" in r for r in rows) else "value", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            },
            *(
                [
                    error_bars(
                        "x", {"y": y, "x": {"field": "value", "type": "quantitative"}, "color": {"value": "#1f2933"}}
                    )
                ]
                if any("low" in r for r in rows)
                else []
            ),
        ],
    )


def pyramid_spec(pyramid: Pyramid, labels: Labels, title: dict[str, Any], view: str) -> dict[str, Any]:
    rows = []
    for entry in pyramid.ranking.entries:
        sex, age = entry.key
        value = entry.cell.value or 0
        rows.append(
            point(
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
    return frame(
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
                "axis": {"labelExpr": axis_labels(labels.language, widest).replace("datum.value", "abs(datum.value)")},
            },
            "color": {
                "field": "sex",
                "type": "nominal",
                "title": None,
                "sort": sexes,
                "scale": {"domain": sexes, "range": [SEX_COLOURS["M"], SEX_COLOURS["F"]]},
                "legend": {"orient": "top"},
            },
            "tooltip": tooltip_fields(
                labels,
                {"field": "sex", "title": " "},
                {"field": "age", "title": labels.dimension("AGE")},
                {"field": "period", "title": labels.t("period")},
            ),
        },
    )
