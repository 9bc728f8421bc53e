"""Turn a ``Grid`` (a CSV's rows or a worksheet's cells, as text) into a ``RawTable``."""

from __future__ import annotations

from itertools import islice

from pivgm.errors import SourceFormatError
from pivgm.ingest.numbers import detect_decimal
from pivgm.ingest.readers.base import RawTable, ReadOptions, check_columns, string_table
from pivgm.ingest.readers.body import layout_columns, select_rows, totals_note
from pivgm.ingest.readers.header import Grid, header_names, locate_header
from pivgm.ingest.report import Note

DECIMAL_SAMPLE = 5000


def _width(grid: Grid) -> int:
    return max((max(grid.filled(i), default=-1) + 1 for i in range(len(grid.rows))), default=0)


def _title_note(grid: Grid, start: int) -> str | None:
    titles = [i for i in range(start) if not grid.is_blank(i)]
    if not titles:
        return None
    first = next(text for text in grid.rows[titles[0]] if text)
    numbers = [grid.row_numbers[i] for i in titles]
    span = f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
    return Note(
        f"Rows {span} skipped: title lines above the header ({first[:60]!r}...).",
        f"Filas {span} omitidas: líneas de título sobre el encabezado ({first[:60]!r}...).",
    )


def numeric_sample(grid: Grid, rows: list[int]) -> list[str]:
    cells = (
        text for index in rows for text, number in zip(grid.rows[index], grid.numbers[index], strict=False) if number
    )
    return list(islice(cells, DECIMAL_SAMPLE))


def tabulate(
    grid: Grid,
    options: ReadOptions,
    *,
    file_name: str,
    format: str,
    detected: dict[str, str],
    default_decimal: str = ".",
) -> RawTable:
    """Find header and data rows in ``grid`` and build the table (see ``header`` and ``body``)."""
    layout = locate_header(grid, options)
    if not layout.rows:
        raise SourceFormatError(
            "the file has no table: every row is empty.",
            file=file_name,
            hint="Check that you chose the right file (and, in a workbook, the right sheet).",
        )
    width = _width(grid)
    check_columns(width, options, file_name)
    names = header_names(grid, layout, width)
    body = select_rows(grid, layout, options.max_rows, file_name)
    columns: dict[str, list[str]] = {}
    for column, name in enumerate(names):
        if column == 0:
            values = body.labels
        else:
            values = [grid.rows[i][column] if column < len(grid.rows[i]) else "" for i in body.rows]
        if name.startswith("column ") and not any(values):
            continue
        columns[name] = values
    columns.update(layout_columns(body))
    source_rows = [grid.row_numbers[i] for i in body.rows]
    notes = [note for note in (_title_note(grid, layout.start),) if note]
    notes += body.notes
    if names:
        totals = totals_note(body.labels, source_rows)
        notes += [totals] if totals else []
    decimal = options.decimal or detect_decimal(numeric_sample(grid, body.rows)) or default_decimal
    detected = {
        **detected,
        "header_row": str(grid.row_numbers[layout.rows[0]]),
        "header_rows": str(len(layout.rows)),
        "decimal": decimal,
    }
    return RawTable(
        table=string_table(columns),
        source_rows=source_rows,
        file_name=file_name,
        format=format,
        detected=detected,
        notes=notes,
    )
