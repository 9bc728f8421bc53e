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


def _cell(row: list[TableCell], index: int) -> TableCell | None:
    return row[index] if index < len(row) else None


def shown_rows(shape: object, labels: Labels) -> tuple[list[str], list[list[Any]]] | None:
    """(header, rows) of the table the page shows for ``shape``; None when the page shows no table. A column
    of survey estimates, shown on screen as "value ± margin", is followed by a column of its margins of error,
    so the figure stays a number and its uncertainty is not lost."""
    if shape is None:
        return None
    model = table_model(shape, labels, "")
    if model is None:
        return None
    lines = [*model.body, *model.foot]
    width = max((len(row) for row in [*model.head, *model.body]), default=0)
    header: list[str] = []
    columns: list[tuple[int, bool]] = []  # (column of the model, its margins rather than its figures)
    for index in range(width):
        heading = _heading([row[index] for row in model.head if index < len(row)])
        header.append(heading)
        columns.append((index, False))
        if any((cell := _cell(row, index)) is not None and cell.moe is not None for row in lines):
            header.append(f"{heading} · {labels.t('margin_of_error_column')}".lstrip(" ·"))
            columns.append((index, True))
    rows = [
        [
            (cell.moe if margin else _value(cell)) if (cell := _cell(row, index)) is not None else None
            for index, margin in columns
        ]
        for row in lines
    ]
    return header, rows
