"""Where a spreadsheet-like table's header is, and what its columns are called.

National tables put title lines above the header ("Cuadro 2. Población de 15 y más años...") and often
spread the header over several rows with merged cells ("Agosto 2023" over "Total / Hombres / Mujeres").
The header starts at the first row with two or more filled cells. It goes on over the rows that hold no
figures (a row of years counts as labels) and fill cells the row above leaves empty, as the rows under a
merged label do.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pivgm.ingest.readers.base import ReadOptions

MAX_HEADER_ROWS = 6
LEVEL_SEPARATOR = " / "

# A merged range of cells: first row, last row, first column, last column (0-based, inclusive).
Merge = tuple[int, int, int, int]


@dataclass
class Grid:
    """A sheet's cells as text ("" when empty), which cells hold numbers, and the rows' numbers in the file."""

    rows: list[list[str]]
    numbers: list[list[bool]]
    row_numbers: list[int]
    indents: list[int]
    merges: list[Merge]

    def filled(self, index: int) -> list[int]:
        return [column for column, text in enumerate(self.rows[index]) if text]

    def is_blank(self, index: int) -> bool:
        return not any(self.rows[index])


@dataclass(frozen=True)
class HeaderLayout:
    start: int  # index of the first header row in the grid
    rows: tuple[int, ...]  # indices of the (non-blank) header rows
    body: int  # index of the first row after the header


_YEAR = re.compile(r"(19|20)\d\d")


def _is_header_like(grid: Grid, index: int) -> bool:
    """No numbers, or only a rising row of years after a text first cell ("País, 2022, 2023")."""
    flags = grid.numbers[index]
    if not any(flags):
        return True
    if flags[0]:
        return False
    years = [grid.rows[index][c] for c, flag in enumerate(flags) if flag]
    if not all(_YEAR.fullmatch(y) for y in years):
        return False
    values = [int(y) for y in years]
    return all(a < b for a, b in itertools.pairwise(values))


def _first_header_row(grid: Grid, options: ReadOptions) -> int:
    candidates = [i for i in range(len(grid.rows)) if not grid.is_blank(i)]
    if options.skip_rows is not None:
        return next((i for i in candidates if grid.row_numbers[i] > options.skip_rows), len(grid.rows))
    for index in candidates:
        if len(grid.filled(index)) >= 2:
            return index
    return candidates[0] if candidates else len(grid.rows)


def locate_header(grid: Grid, options: ReadOptions) -> HeaderLayout:
    """The header rows of the grid (see the module docstring); ``options`` may fix their place and count."""
    start = _first_header_row(grid, options)
    rows = [start] if start < len(grid.rows) else []
    index = start + 1
    wanted = options.header_rows
    while rows and index < len(grid.rows) and len(rows) < (wanted or MAX_HEADER_ROWS):
        if grid.is_blank(index):
            index += 1
            continue
        if wanted is None and not _continues_header(grid, rows, index):
            break
        rows.append(index)
        index += 1
    if wanted is None and len(rows) == MAX_HEADER_ROWS and index < len(grid.rows):
        rows, index = [start], start + 1  # no data row found near the top: a one-row header
    return HeaderLayout(start, tuple(rows), index)


def _continues_header(grid: Grid, rows: list[int], index: int) -> bool:
    """A row continues the header if it has no figures and fills a gap the row above leaves (a merged or
    spread label such as "Enero 2024" over "Hombres" and "Mujeres")."""
    if not _is_header_like(grid, index):
        return False
    filled = grid.filled(index)
    # A lone label under a header that already names the label column is a section heading of the data.
    if filled == [0] and any(grid.rows[row][:1] != [""] for row in rows):
        return False
    above = grid.rows[rows[-1]]
    return any(column >= 1 and (column >= len(above) or not above[column]) for column in filled)


def _apply_merges(grid: Grid, rows: tuple[int, ...], width: int) -> dict[int, list[str]]:
    """The header rows, ``width`` cells each, with each merged range's text copied into all its cells."""
    filled = {index: (grid.rows[index] + [""] * width)[:width] for index in rows}
    for first, last, c0, c1 in grid.merges:
        source = grid.rows[first] if first < len(grid.rows) else []
        text = source[c0] if c0 < len(source) else ""
        for index in rows:
            if first <= index <= last:
                for column in range(c0, min(c1, width - 1) + 1):
                    filled[index][column] = text
    return filled


def _merged_cells(grid: Grid) -> set[tuple[int, int]]:
    return {(r, c) for r0, r1, c0, c1 in grid.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}


def _fill_across(levels: list[list[str]], merged: set[tuple[int, int]], rows: tuple[int, ...]) -> None:
    """Upper header levels written once over several columns (a merge lost in CSV) cover those columns.

    A level's text extends right while the level above is unchanged, never from the first (label) column.
    """
    for depth, level in enumerate(levels[:-1]):
        for column in range(2, len(level)):
            if level[column] or (rows[depth], column) in merged or not level[column - 1]:
                continue
            same_parent = depth == 0 or levels[depth - 1][column] == levels[depth - 1][column - 1]
            if same_parent:
                level[column] = level[column - 1]


def _column_label(column: int) -> str:
    letters = ""
    number = column + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def header_names(grid: Grid, layout: HeaderLayout, width: int) -> list[str]:
    """One unique name per column: the header levels joined with " / " (a level repeated by a vertical
    merge is written once); "column C" where the header is empty."""
    merged_rows = _apply_merges(grid, layout.rows, width)
    levels = [merged_rows[i] for i in layout.rows]
    _fill_across(levels, _merged_cells(grid), layout.rows)
    names: list[str] = []
    taken: set[str] = set()
    suffixes: dict[str, int] = {}
    for column in range(width):
        parts: list[str] = []
        for level in levels:
            text = " ".join(level[column].split())
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        name = LEVEL_SEPARATOR.join(parts) or f"column {_column_label(column)}"
        names.append(_unique(name, taken, suffixes))
    return names


def _unique(name: str, taken: set[str], suffixes: dict[str, int]) -> str:
    """``name``, or "name (2)", "name (3)"... if it is taken; a set and each name's next number keep this
    linear in the number of columns (a file of a million equal headers must not take hours)."""
    candidate, number = name, suffixes.get(name, 1)
    while candidate in taken:
        number += 1
        candidate = f"{name} ({number})"
    suffixes[name] = number
    taken.add(candidate)
    return candidate
