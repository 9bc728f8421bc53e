"""The data rows of a spreadsheet-like table: what to keep, what to skip, and the row hierarchy.

Skipped, with a note: blank rows, footnotes ("Fuente: ...", "(1) Las cifras...", any text-only rows after
the last figure), repeated header rows. In a cross-table (row labels in the first column, figures in the
others) a label-only row is either the first half of a label split over two rows (it opens a parenthesis
the next row closes) or a section heading; headings, and rows that head repeated blocks of labels, become
``_group_1``, ``_group_2``... columns, and the labels' indentation becomes ``_level``.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from pivgm.ingest.labels import normalise
from pivgm.ingest.numbers import is_missing
from pivgm.ingest.readers.base import GROUP_COLUMN, LEVEL_COLUMN, too_many_rows
from pivgm.ingest.readers.header import Grid, HeaderLayout
from pivgm.ingest.report import Note

_FOOTNOTE_START = re.compile(
    r"(fuentes?|notas?|sources?|notes?|elaborad[oa]|elaboraci[oó]n|prepared by|actualizad[oa]|cifras|"
    r"\(\d{1,2}\)|\d{1,2}/|[a-z]/|\(?\*+\)?|-\s|…|\.\.\.)",
    re.IGNORECASE,
)
_DOT_LEADER = re.compile(r"[\s.…·_]*[.…·]{2,}[\s.…·_]*$")


def clean_label(text: str) -> str:
    """A row label without dot leaders ("TOTAL……..") and with single spaces."""
    if any(ch.isalpha() for ch in text):
        text = _DOT_LEADER.sub("", text)
    return " ".join(text.split())


@dataclass
class Body:
    """The kept rows (indices into the grid) with their labels, and what the reader noticed."""

    rows: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    indents: list[int] = field(default_factory=list)
    groups: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, index: int, label: str, indent: int) -> None:
        self.rows.append(index)
        self.labels.append(label)
        self.indents.append(indent)


def rows_phrase(numbers: list[int], language: str = "en") -> str:
    """ "Row 7" or "Rows 7, 9 and 12 more" ("Fila 7", "Filas 7, 9 y 12 más")."""
    shown = ", ".join(str(n) for n in numbers[:8])
    if language == "es":
        more = f" y {len(numbers) - 8} más" if len(numbers) > 8 else ""
        return f"{'Fila' if len(numbers) == 1 else 'Filas'} {shown}{more}"
    more = f" and {len(numbers) - 8} more" if len(numbers) > 8 else ""
    return f"{'Row' if len(numbers) == 1 else 'Rows'} {shown}{more}"


def is_cross_table(grid: Grid, rows: range) -> bool:
    """Figures in every column but the first: the layout where label-only rows are headings."""
    text_columns: Counter[int] = Counter()
    filled_columns: Counter[int] = Counter()
    for index in rows:
        for column, (text, number) in enumerate(zip(grid.rows[index], grid.numbers[index], strict=False)):
            if column == 0 or not text:
                continue
            filled_columns[column] += 1
            if not number and not is_missing(text):
                text_columns[column] += 1
    return bool(filled_columns) and all(text_columns[c] <= 0.1 * n for c, n in filled_columns.items())


def _opens_parenthesis(text: str) -> bool:
    return text.count("(") > text.count(")")


@dataclass(frozen=True)
class _Context:
    last_figure: int
    cross: bool
    header_last: list[str]


def _kind(grid: Grid, index: int, context: _Context) -> str:
    """What a row after the header is: blank, footnote, repeat (of the header), split (the first half of
    a label), heading, or data."""
    cells = grid.rows[index]
    if not any(cells):
        return "blank"
    has_figures = any(grid.numbers[index])
    first_text = next(text for text in cells if text)
    trailing = index > context.last_figure and len(grid.filled(index)) == 1
    if not has_figures and (trailing or _FOOTNOTE_START.match(first_text)):
        return "footnote"
    if cells == context.header_last:
        return "repeat"
    if context.cross and not has_figures and grid.filled(index) == [0]:
        return "split" if _opens_parenthesis(cells[0]) else "heading"
    return "data"


def select_rows(grid: Grid, layout: HeaderLayout, max_rows: int | None, file_name: str) -> Body:
    """Walk the rows after the header, keeping data rows (see the module docstring)."""
    body = Body()
    indices = range(layout.body, len(grid.rows))
    context = _Context(
        last_figure=max((i for i in indices if any(grid.numbers[i])), default=layout.body - 1),
        cross=is_cross_table(grid, indices),
        header_last=grid.rows[layout.rows[-1]] if layout.rows else [],
    )
    skipped: dict[str, list[int]] = {"footnote": [], "repeat": [], "split": []}
    headings: list[tuple[int, str, float]] = []  # (position in body, label, indent)
    prefix: tuple[str, int] | None = None
    for index in indices:
        kind = _kind(grid, index, context)
        if kind in skipped:
            skipped[kind].append(grid.row_numbers[index])
        if kind == "split":
            prefix = (grid.rows[index][0], grid.indents[index])
        elif kind == "heading":
            headings.append((len(body.rows), clean_label(grid.rows[index][0]), grid.indents[index]))
        elif kind == "data":
            label, indent = grid.rows[index][0], grid.indents[index]
            if prefix is not None:
                label, indent, prefix = f"{prefix[0]} {label}", prefix[1], None
            body.add(index, clean_label(label), indent)
            if max_rows is not None and len(body.rows) > max_rows:
                raise too_many_rows(file_name, max_rows)
    body.notes += [_skip_note(kind, rows) for kind, rows in skipped.items() if rows]
    if context.cross:
        body.groups = _stack_paths(headings, len(body.rows)) if headings else _block_groups(body.labels)
    return body


_SKIP_NOTES = {
    "footnote": " skipped: notes and footnotes, not data.",
    "repeat": " skipped: the header repeated.",
    "split": ": a label split over two rows was joined with the next row.",
}
_SKIP_NOTES_ES = {
    "footnote": " omitida{s}: notas y notas al pie, no datos.",
    "repeat": " omitida{s}: el encabezado repetido.",
    "split": ": una etiqueta partida en dos filas se unió con la fila siguiente.",
}


def _skip_note(kind: str, rows: list[int]) -> Note:
    spanish = rows_phrase(rows, "es") + _SKIP_NOTES_ES[kind].format(s="s" if len(rows) > 1 else "")
    return Note(f"{rows_phrase(rows)}{_SKIP_NOTES[kind]}", spanish)


def _stack_paths(markers: list[tuple[int, str, float]], count: int) -> list[tuple[str, ...]]:
    """Each row's path of enclosing group labels; ``markers`` are (row position, label, rank), a group
    closing every open group of equal or higher rank."""
    paths: list[tuple[str, ...]] = []
    stack: list[tuple[str, float]] = []
    markers_at: dict[int, list[tuple[str, float]]] = {}
    for position, label, rank in markers:
        markers_at.setdefault(position, []).append((label, rank))
    for position in range(count):
        for label, rank in markers_at.get(position, []):
            while stack and stack[-1][1] >= rank:
                stack.pop()
            stack.append((label, rank))
        paths.append(tuple(label for label, _ in stack))
    return paths


def _block_groups(labels: list[str]) -> list[tuple[str, ...]]:
    """Rows that head repeated blocks ("TOTAL", then "Urbana"/"Rural" in each province, each followed by
    the same condition rows): a label rarer than the commonest frequency and than the next row's label.
    Needs labels that repeat but never twice in a row; otherwise there are no blocks."""
    if len(labels) < 4 or any(a == b for a, b in itertools.pairwise(labels)):
        return []
    frequency = Counter(labels)
    if max(frequency.values()) < 3:
        return []
    rows_by_frequency = Counter(frequency[label] for label in labels)
    dominant = rows_by_frequency.most_common(1)[0][0]
    markers = [
        (position, label, float(frequency[label]))
        for position, (label, following) in enumerate(itertools.pairwise(labels))
        if frequency[label] < dominant and frequency[label] < frequency[following]
    ]
    return _stack_paths(markers, len(labels)) if markers else []


def levels(indents: list[int]) -> list[int] | None:
    """Indent widths ranked 0, 1, 2...; a width only one row uses (a centred label) counts as 0.
    None when the labels are not indented."""
    used = Counter(indents)
    widths = sorted(width for width, count in used.items() if count > 1)
    if len(widths) < 2:
        return None
    rank = {width: position for position, width in enumerate(widths)}
    return [rank.get(width, 0) for width in indents]


def layout_columns(body: Body) -> dict[str, list[str]]:
    """The ``_level`` and ``_group_n`` columns the body's hierarchy calls for (may be none)."""
    columns: dict[str, list[str]] = {}
    ranked = levels(body.indents)
    if ranked is not None:
        columns[LEVEL_COLUMN] = [str(level) for level in ranked]
    depth = max((len(path) for path in body.groups), default=0)
    for level in range(depth):
        columns[GROUP_COLUMN.format(level + 1)] = [path[level] if level < len(path) else "" for path in body.groups]
    return columns


def totals_note(labels: list[str], row_numbers: list[int]) -> str | None:
    """A note naming the rows whose label says they are totals; they are kept for the totals checks."""
    rows = [number for label, number in zip(labels, row_numbers, strict=True) if normalise(label).startswith("total")]
    if not rows:
        return None
    if len(rows) == 1:
        row = rows[0]
        return Note(f"Row {row} is labelled as a total; it is kept.", f"La fila {row} dice ser un total; se conserva.")
    return Note(
        f"{rows_phrase(rows)} are labelled as totals; they are kept.",
        f"{rows_phrase(rows, 'es')} dicen ser totales; se conservan.",
    )
