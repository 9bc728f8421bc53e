"""The table on screen as rows of a download ("what is shown"): the same rows and columns as the HTML table
of the view (the cross-table, or the table alternative of a chart), its headings as text and its figures as
numbers, totals included (formatting only)."""

from __future__ import annotations

from typing import Any

from pivgm.web.labels import Labels
from pivgm.web.tables import TableCell, table_model


def _heading(levels: list[TableCell]) -> str:
    """A column's heading: its levels of the table's head joined (``2023 · Women``)."""
    return " · ".join(cell.text for cell in levels if cell.text)


def _value(cell: TableCell) -> Any:
    """A heading as written; a figure as a number; a missing or withheld figure as the text shown."""
    if cell.header or not isinstance(cell.sort, int | float) or isinstance(cell.sort, bool):
        return cell.text
    return cell.sort


def shown_rows(shape: object, labels: Labels) -> tuple[list[str], list[list[Any]]] | None:
    """(header, rows) of the table the page shows for ``shape``; None when the page shows no table."""
    if shape is None:
        return None
    model = table_model(shape, labels, "")
    if model is None:
        return None
    width = max((len(row) for row in [*model.head, *model.body]), default=0)
    header = [_heading([row[i] for row in model.head if i < len(row)]) for i in range(width)]
    rows = [[_value(cell) for cell in row] for row in [*model.body, *model.foot]]
    return header, rows
