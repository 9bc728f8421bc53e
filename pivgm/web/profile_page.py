"""Page models of the home page (the region at a glance) and of country profiles (formatting only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pivgm.catalog.explore import ExplorerView
from pivgm.catalog.grid import Cell
from pivgm.catalog.profiles import CountryProfile, IndicatorFigure, ProfileBlock
from pivgm.catalog.service import HighlightView
from pivgm.catalog.site import HomeView
from pivgm.catalog.views import AreaMap, Ranking, SeriesChart
from pivgm.model import Code, Codelist
from pivgm.web.chart_parts import config
from pivgm.web.charts import highlight_rows, highlight_spec
from pivgm.web.explorer_page import explorer_url, uncertainty_notes
from pivgm.web.formats import date_label, number_label, period_label
from pivgm.web.labels import Labels
from pivgm.web.map_charts import map_layers
from pivgm.web.maps import iso_numeric
from pivgm.web.rendering import url
from pivgm.web.tables import TableModel, table_model
from pivgm.web.view_charts import view_spec

TOP = 8
HEADLINE_SERIES = 3
# Mexico, Central America and the Caribbean, with their neighbours in grey, at any width.
REGION_PROJECTION = {"type": "mercator", "center": [-87, 20], "scale": {"expr": "width / 1.25"}}


@dataclass(frozen=True)
class Figure:
    """A headline number with what it is: label, period, unit, and where it comes from."""

    label: str
    value: str
    period: str
    unit: str = ""
    flags: str = ""


@dataclass(frozen=True)
class TopEntry:
    name: str
    value: str
    href: str | None = None


@dataclass
class BlockPage:
    id: str
    title: str
    dataflow: str
    figures: list[Figure]
    spec: dict[str, Any] | None
    table: TableModel | None
    top_title: str
    top: list[TopEntry]
    source: str
    published: str
    href: str
    section: str = ""  # the heading of the group of blocks it belongs to
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IndicatorRow:
    """One line of the profile's indicators section, formatted."""

    dataflow: str
    name: str
    value: str
    unit: str
    period: str
    flags: str
    href: str
    selection: str = ""  # the codes the figure is for besides the country ("Counting unit: Persons")


@dataclass
class CountryPage:
    code: str
    name: str
    blocks: list[BlockPage]
    indicators: list[IndicatorRow] = field(default_factory=list)


def _pairs(params: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, ",".join(codes)) for name, codes in params.items()]


def _indicator_row(figure: IndicatorFigure, language: str) -> IndicatorRow:
    labels = Labels(figure.dataflow, language)
    return IndicatorRow(
        figure.dataflow.id,
        figure.dataflow.name.get(language),
        number_label(figure.value, language),
        labels.unit(figure.unit),
        period_label(figure.period, language),
        labels.status(figure.status) if figure.status else "",
        url(f"/explore/{figure.dataflow.id}", _pairs(figure.params), lang=language),
        _selection(figure, labels),
    )


def _selection(figure: IndicatorFigure, labels: Labels) -> str:
    """What the figure counts besides the country, from the codes its selection fixes: the recognition rate
    is of persons, not of cases (``Counting unit: Persons``)."""
    dimensions = figure.dataflow.structure.dimension_ids
    return " · ".join(
        f"{labels.dimension(d)}: {labels.code(d, codes[0])}"
        for d, codes in figure.params.items()
        if d in dimensions and d != "REF_AREA" and len(codes) == 1
    )


def _latest(view: ExplorerView, labels: Labels) -> list[Figure]:
    shape = view.shape
    if not isinstance(shape, SeriesChart) or len(shape.series) > HEADLINE_SERIES:
        return []
    figures = []
    for series in shape.series:
        points = shape.grid.series(series.key)
        if not points:
            continue
        period, cell = points[-1]
        name = labels.key(shape.colour_dimensions + shape.panel_dimensions, series.colour + series.panel)
        figures.append(
            Figure(
                name, labels.value(cell), period_label(period, labels.language), labels.unit(cell), _flags(cell, labels)
            )
        )
    return figures


def _flags(cell: Cell, labels: Labels) -> str:
    return "; ".join(labels.status(code) for code in cell.flags)


def _top(view: ExplorerView | None, dimension: str | None, labels: Labels) -> list[TopEntry]:
    if view is None or dimension is None or not isinstance(view.shape, Ranking):
        return []
    grid = view.shape.grid
    if dimension not in grid.dimensions:
        return []  # one code only: the block's own figure already says it
    position = grid.dimensions.index(dimension)
    codelist = _codelist(view, dimension)
    entries = []
    for entry in view.shape.entries:
        code = entry.key[position]
        country = iso_numeric(codelist, code)
        if not country:
            continue  # totals, regions and "unknown" are not countries to rank
        entries.append(
            TopEntry(
                labels.code(dimension, code), labels.value(entry.cell), url(f"/country/{code}", lang=labels.language)
            )
        )
        if len(entries) == TOP:
            break
    return entries


def _codelist(view: ExplorerView, dimension: str) -> Codelist | None:
    found = view.dataflow.structure.dimension(dimension)
    return found.codelist if found is not None else None


def _block(block: ProfileBlock, language: str) -> BlockPage:
    view = block.view
    labels = Labels(view.dataflow, language)
    title = block.spec.title.get(language)
    spec = view_spec(view.shape, labels, {"text": ""}, view.state.view.value)
    if spec is not None:
        spec.pop("title", None)
        spec["height"] = 170
    release = view.summary.release
    return BlockPage(
        id=block.spec.id,
        title=title,
        dataflow=view.dataflow.name.get(language),
        figures=_latest(view, labels),
        spec=spec,
        table=table_model(view.shape, labels, title),
        top_title=block.spec.top_title.get(language) if block.spec.top_title else "",
        top=_top(block.top, block.spec.top, labels),
        source=view.dataflow.metadata.source.get(language),
        published=date_label(release.published_at, language) if release else "",
        href=explorer_url(view.state, language),
        section=block.spec.section.get(language) if block.spec.section else "",
        notes=uncertainty_notes(view, labels),
    )


def profile_public(profile: CountryProfile, language: str, page: CountryPage | None = None) -> dict[str, Any]:
    """The JSON twin of a profile: each block's latest figures, its explorer view and its data API query
    (``page``: the profile's page in ``language``, when formatted already)."""
    page = page or country_page(profile, language)
    return {
        "country": {"id": profile.country.id, "name": profile.country.name.to_dict()},
        "blocks": [
            {
                "id": block.spec.id,
                "title": block.spec.title.to_dict(),
                "dataflow": block.view.dataflow.id,
                "latest": [figure.__dict__ for figure in shown.figures],
                **({"section": block.spec.section.to_dict()} if block.spec.section else {}),
                **({"notes": shown.notes} if shown.notes else {}),
                "explorer": shown.href,
                "data": url(f"/api/data/{block.view.dataflow.id}", block.view.state.api_params()),
            }
            for block, shown in zip(profile.blocks, page.blocks, strict=True)
        ],
        "indicators": [
            {
                "dataflow": figure.dataflow.id,
                "name": figure.dataflow.name.to_dict(),
                "period": figure.period,
                "value": figure.value,
                "unit": figure.unit,
                "status": figure.status,
                "explorer": row.href,
                "data": url(f"/api/data/{figure.dataflow.id}", _pairs(figure.params)),
            }
            for figure, row in zip(profile.indicators, page.indicators, strict=True)
        ],
    }


def country_page(profile: CountryProfile, language: str) -> CountryPage:
    return CountryPage(
        profile.country.id,
        profile.country.name.get(language),
        [_block(b, language) for b in profile.blocks],
        [_indicator_row(f, language) for f in profile.indicators],
    )


@dataclass(frozen=True)
class Headline:
    title: str
    dataflow: str
    figure: Figure
    source: str
    href: str


@dataclass
class HomePage:
    headlines: list[Headline]
    map_title: str
    map_spec: dict[str, Any] | None
    map_rows: list[TopEntry]
    map_period: str
    countries: list[tuple[str, str]]
    themes: list[tuple[str, int]]
    cards: list[Card] = field(default_factory=list)


@dataclass(frozen=True)
class Card:
    """One dataflow on the home page: its highlight drawn as a chart and as a table, and the latest figure."""

    view: HighlightView
    spec: dict[str, Any] | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    latest: tuple[str, float] | None = None
    href: str = ""


def highlight_url(view: HighlightView, language: str) -> str:
    """The explorer view of a highlight: its codes, the other dimensions added up, its series."""
    dataflow = view.summary.dataflow
    highlight = view.highlight
    if highlight is None:
        return url(f"/explore/{dataflow.id}", lang=language)
    named = highlight.filters
    others = [d for d in dataflow.structure.dimension_ids if d not in named]
    params = [(d, ",".join(named[d]) if d in named else "*") for d in dataflow.structure.dimension_ids]
    summed = [d for d in others if d != highlight.series]
    if summed:
        params.append(("sum", ",".join(summed)))
    if highlight.start:
        params.append(("from", highlight.start))
    params.append(("view", "line" if highlight.mark == "line" else "bar"))
    return url(f"/explore/{dataflow.id}", params, lang=language)


def card(view: HighlightView, language: str) -> Card:
    href = highlight_url(view, language)
    if view.data is None or not view.data.table.num_rows:
        return Card(view, href=href)
    rows = highlight_rows(view, language)
    spec = highlight_spec(view, language)
    if view.highlight is not None and view.highlight.series:
        return Card(view, spec, rows, href=href)  # several series: no single headline figure
    return Card(view, spec, rows, (rows[-1]["period"], rows[-1]["value"]), href)


def _headlines(home: HomeView, cards: list[Card], language: str) -> list[Headline]:
    by_id = {c.view.summary.dataflow.id: c for c in cards}
    found = []
    for dataflow_id in home.region.headlines:
        item = by_id.get(dataflow_id)
        if item is None or item.latest is None or item.view.highlight is None:
            continue
        dataflow = item.view.summary.dataflow
        labels = Labels(dataflow, language)
        unit = labels.unit(dataflow.defaults.get("UNIT_MEASURE", ""))
        figure = Figure(
            item.view.highlight.title.get(language),
            number_label(item.latest[1], language),
            period_label(item.latest[0], language),
            unit,
        )
        found.append(
            Headline(
                item.view.highlight.title.get(language),
                dataflow.name.get(language),
                figure,
                dataflow.metadata.source.get(language),
                item.href,
            )
        )
    return found


def _region_map(home: HomeView, language: str) -> tuple[dict[str, Any] | None, list[TopEntry], str]:
    view = home.region_map
    if view is None or not isinstance(view.shape, AreaMap):
        return None, [], ""
    labels = Labels(view.dataflow, language)
    codelist = _codelist(view, view.shape.dimension)
    rows, entries = [], []
    for entry in view.shape.ranking.entries:
        code = entry.key[0]
        href = url(f"/country/{code}", lang=language)
        name = labels.code(view.shape.dimension, code)
        rows.append(
            {
                "id": iso_numeric(codelist, code),
                "label": name,
                "value": entry.cell.value,
                "text": labels.value(entry.cell),
                "unit": labels.unit(entry.cell),
                "flag": "",
                "period": period_label(entry.period, language),
                "href": href,
            }
        )
        entries.append(TopEntry(name, labels.value(entry.cell), href))
    grid = view.shape.ranking.grid
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": 380,
        "projection": REGION_PROJECTION,
        "layer": map_layers(rows, labels, labels.unit_title(grid.units(), grid.multipliers())),
        "config": config(),
    }
    period = period_label(view.shape.ranking.entries[0].period, language) if view.shape.ranking.entries else ""
    return spec, entries, period


def home_page(home: HomeView, language: str, areas: Codelist) -> HomePage:
    cards = [card(view, language) for view in home.highlights]
    spec, rows, period = _region_map(home, language)
    counts: dict[str, int] = {}
    for view in home.highlights:
        counts[view.summary.dataflow.theme] = counts.get(view.summary.dataflow.theme, 0) + 1
    return HomePage(
        headlines=_headlines(home, cards, language),
        map_title=home.region.title.get(language),
        map_spec=spec,
        map_rows=rows,
        map_period=period,
        countries=[(c.id, c.name.get(language)) for c in sorted(home.countries, key=lambda c: c.name.get(language))],
        themes=[(theme, counts.get(theme, 0)) for theme in home.themes],
        cards=cards,
    )


def region_codes(areas: Codelist, codes: list[Code]) -> list[str]:
    return [c.id for c in codes if c.id in areas]
