"""HTML table models of the explorer's views: the cross-table with totals, and the table alternative of
every chart (formatting only). Each cell carries its text, sort value, flags and note numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import singledispatch

from pivgm.catalog.crosstab import Crosstab
from pivgm.catalog.grid import Cell
from pivgm.catalog.views import AreaMap, Corridors, Pyramid, Ranking, SeriesChart
from pivgm.web.labels import Labels


@dataclass
class Notes:
    """Footnotes of a table: each distinct comment gets a number."""

    texts: list[str] = field(default_factory=list)

    def numbers(self, cell: Cell | None) -> list[int]:
        if cell is None:
            return []
        found = []
        for comment in cell.comments:
            if comment not in self.texts:
                self.texts.append(comment)
            found.append(self.texts.index(comment) + 1)
        return found


@dataclass(frozen=True)
class TableCell:
    text: str
    sort: float | str | None = None
    flags: tuple[str, ...] = ()
    notes: tuple[int, ...] = ()
    header: bool = False
    total: bool = False
    title: str = ""  # the flags' names, for a tooltip and screen readers
    moe: float | None = None  # the figure's margin of error (90 %), written in ``text`` as "± moe"


@dataclass(frozen=True)
class TableModel:
    caption: str
    head: list[list[TableCell]]
    body: list[list[TableCell]]
    foot: list[list[TableCell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: list[tuple[str, str]] = field(default_factory=list)  # (code, name) of flags present
    row_headers: int = 1


def value_cell(cell: Cell | None, labels: Labels, notes: Notes, total: bool = False) -> TableCell:
    if cell is None:
        return TableCell("..", None, title=labels.t("no_value"))
    names = "; ".join(labels.status(code) for code in cell.flags)
    return TableCell(
        labels.t("confidential_value") if cell.withheld else labels.value(cell),
        cell.value,
        cell.flags,
        tuple(notes.numbers(cell)),
        total=total,
        title=names,
        moe=None if cell.withheld else cell.moe,
    )


def _flags(cells: list[Cell | None], labels: Labels) -> list[tuple[str, str]]:
    codes = sorted({code for cell in cells if cell is not None for code in cell.flags})
    return [(code, labels.status(code)) for code in codes]


@singledispatch
def table_model(shape: object, labels: Labels, caption: str) -> TableModel | None:
    return None


@table_model.register
def _(table: Crosstab, labels: Labels, caption: str) -> TableModel:
    notes = Notes()
    rows_n = len(table.row_dimensions)
    head: list[list[TableCell]] = []
    for level, dimension in enumerate(table.column_dimensions):
        row = [
            TableCell(labels.dimension(d) if level == len(table.column_dimensions) - 1 else "", header=True)
            for d in table.row_dimensions
        ]
        row += [TableCell(labels.code(dimension, column[level]), header=True) for column in table.columns]
        if table.row_totals is not None:
            row.append(
                TableCell(
                    labels.t("sum_of_shown") if level == len(table.column_dimensions) - 1 else "",
                    header=True,
                    total=True,
                )
            )
        head.append(row)
    if not head:
        head.append(
            [TableCell(labels.dimension(d), header=True) for d in table.row_dimensions]
            + [TableCell(labels.t("value"), header=True)]
        )
    body = []
    for row_key in table.rows:
        cells = [
            TableCell(labels.code(d, c), c, header=True) for d, c in zip(table.row_dimensions, row_key, strict=True)
        ]
        cells += [value_cell(table.cell(row_key, column), labels, notes) for column in table.columns]
        if table.row_totals is not None:
            cells.append(value_cell(table.row_totals.get(row_key), labels, notes, total=True))
        body.append(cells)
    foot = []
    if table.column_totals is not None:
        label = [TableCell(labels.t("sum_of_shown") if i == 0 else "", header=True, total=True) for i in range(rows_n)]
        totals = [value_cell(table.column_totals.get(c), labels, notes, total=True) for c in table.columns]
        grand = [value_cell(table.grand_total, labels, notes, total=True)] if table.row_totals is not None else []
        foot.append(label + totals + grand)
    flags = _flags(list(table.cells.values()), labels)
    return TableModel(caption, head, body, foot, [labels.comment(text) for text in notes.texts], flags, rows_n)


@table_model.register
def _(chart: SeriesChart, labels: Labels, caption: str) -> TableModel:
    """Periods down, series across (as the chart reads)."""
    notes = Notes()
    grid = chart.grid
    names = [labels.key(grid.dimensions, s.key, labels.dataflow.name.get(labels.language)) for s in chart.series]
    head = [[TableCell(labels.t("period"), header=True), *(TableCell(n, header=True) for n in names)]]
    body = []
    for period in grid.periods:
        cells = [TableCell(labels.code("TIME_PERIOD", period), period, header=True)]
        cells += [value_cell(grid.cells.get((s.key, period)), labels, notes) for s in chart.series]
        body.append(cells)
    return TableModel(
        caption,
        head,
        body,
        [],
        [labels.comment(text) for text in notes.texts],
        _flags(list(grid.cells.values()), labels),
    )


def _ranking_table(ranking: Ranking, labels: Labels, caption: str, first: list[str]) -> TableModel:
    notes = Notes()
    grid = ranking.grid
    head = [
        [
            *(TableCell(h, header=True) for h in first),
            TableCell(labels.t("period"), header=True),
            TableCell(labels.t("value"), header=True),
        ]
    ]
    body = []
    # with an "Others" group the table is the chart's: the top, then the rest added up
    entries = ranking.entries[: ranking.shown] if ranking.others is not None else ranking.entries
    for entry in entries:
        keys = [
            TableCell(labels.code(d, c), c, header=i == 0)
            for i, (d, c) in enumerate(zip(grid.dimensions, entry.key, strict=True))
        ]
        if not keys:
            keys = [TableCell(labels.t("total"), header=True)]
        body.append([*keys, TableCell(labels.code("TIME_PERIOD", entry.period)), value_cell(entry.cell, labels, notes)])
    if ranking.others is not None:
        others = ranking.others
        keys = [TableCell(labels.t("others") if i == 0 else "", header=i == 0) for i in range(len(head[0]) - 2)]
        period = TableCell(labels.code("TIME_PERIOD", others.period))
        body.append([*keys, period, value_cell(others.cell, labels, notes)])
    return TableModel(
        caption,
        head,
        body,
        [],
        [labels.comment(text) for text in notes.texts],
        _flags([e.cell for e in ranking.entries], labels),
    )


@table_model.register
def _(ranking: Ranking, labels: Labels, caption: str) -> TableModel:
    first = [labels.dimension(d) for d in ranking.grid.dimensions] or [labels.t("selection")]
    return _ranking_table(ranking, labels, caption, first)


@table_model.register
def _(area_map: AreaMap, labels: Labels, caption: str) -> TableModel:
    return _ranking_table(area_map.ranking, labels, caption, [labels.dimension(area_map.dimension)])


@table_model.register
def _(pyramid: Pyramid, labels: Labels, caption: str) -> TableModel:
    return _ranking_table(pyramid.ranking, labels, caption, [labels.dimension("SEX"), labels.dimension("AGE")])


@table_model.register
def _(corridors: Corridors, labels: Labels, caption: str) -> TableModel:
    return _ranking_table(
        corridors.ranking,
        labels,
        caption,
        [labels.dimension(corridors.origin), labels.dimension(corridors.destination)],
    )
