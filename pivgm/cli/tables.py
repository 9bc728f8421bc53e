"""Tables for a terminal: ids and codes are never cut; what does not fit is left out and said so."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.measure import measure_renderables
from rich.table import Table


def _width(header: str, cells: Sequence[str]) -> int:
    return max([len(header), *(len(cell) for cell in cells)])


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], shown: list[int]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1, 0, 0))
    for index in shown:
        width = _width(headers[index], [row[index] for row in rows])
        table.add_column(headers[index], no_wrap=True, min_width=width, overflow="ignore")
    for row in rows:
        table.add_row(*(row[index] for index in shown))
    return table


def table_width(console: Console, table: Table) -> int:
    """Characters the table takes unwrapped."""
    return measure_renderables(console, console.options.update(width=10**6), [table]).maximum


def print_whole(console: Console, table: Table) -> None:
    """Print ``table`` without cutting it, wider than the terminal if it must be."""
    width = console.width
    console.width = max(width, table_width(console, table))
    try:
        console.print(table)
    finally:
        console.width = width


def fitted_table(
    console: Console, headers: Sequence[str], rows: Sequence[Sequence[str]], wide: bool, keep: int
) -> tuple[Table, list[str]]:
    """A table of whole cells that fits the console (any width if ``wide``), and the headers of the columns
    left out to fit. The first ``keep`` columns are always shown; the others, in order, while they fit."""
    shown = list(range(min(keep, len(headers))))
    for index in range(len(shown), len(headers)):
        if wide or table_width(console, _table(headers, rows, [*shown, index])) <= console.width:
            shown.append(index)
    return _table(headers, rows, shown), [header for index, header in enumerate(headers) if index not in shown]


def named_table(headers: Sequence[str], rows: Sequence[Sequence[str]], ids: int = 1) -> Table:
    """A table whose first ``ids`` columns hold ids (shown whole) and whose other columns wrap to fit."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1, 0, 0))
    for index, header in enumerate(headers):
        if index < ids:
            width = _width(header, [row[index] for row in rows])
            table.add_column(header, no_wrap=True, min_width=width, overflow="ignore")
        else:  # wrapped between words, never inside one
            longest = max(len(word) for cell in [header, *(row[index] for row in rows)] for word in [*cell.split(), ""])
            table.add_column(header, min_width=longest)
    for row in rows:
        table.add_row(*row)
    return table
