"""Large CSV files: the header and trailing notes found as for small ones, the body parsed by Arrow.

Row numbers are line numbers, so this path is taken only when every line is one record: no line breaks
inside quoted fields, no blank or ragged lines in the body. Otherwise ``read_large`` returns None and the
file is read record by record.
"""

from __future__ import annotations

import csv

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pivgm.ingest.numbers import detect_decimal, looks_numeric
from pivgm.ingest.readers.base import RawTable, ReadOptions, too_many_rows
from pivgm.ingest.readers.csv_reader import CsvReader, grid_of, parse_records
from pivgm.ingest.readers.header import header_names, locate_header

HEAD_RECORDS = 200
TAIL_LINES = 60
DECIMAL_SAMPLE_ROWS = 2000


def _line_starts(text: str, count: int) -> list[int]:
    """Offsets of the starts of the first ``count`` lines, and of the line after them."""
    starts, position = [0], 0
    while len(starts) <= count:
        position = text.find("\n", position) + 1
        if position == 0 or position >= len(text):
            break
        starts.append(position)
    return starts


def _notes_at_end(text: str, delimiter: str) -> tuple[int, int]:
    """Where the trailing blank and note lines (one text field, no figure) begin, and how many hold text."""
    end = len(text.rstrip("\r\n"))
    notes = 0
    for _ in range(TAIL_LINES):
        start = text.rfind("\n", 0, end) + 1
        fields = [f.strip() for f in next(csv.reader([text[start:end]], delimiter=delimiter), [])]
        filled = [f for f in fields if f]
        if len(filled) > 1 or any(looks_numeric(f) for f in filled):
            break
        notes += bool(filled)
        end = max(start - 1, 0)
    return end, notes


def arrow_body(body: str, delimiter: str, names: list[str]) -> pa.Table | None:
    invalid: list[int] = []

    def note_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row.actual_columns)
        return "skip"

    keys = [f"f{i}" for i in range(len(names))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=keys),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                ignore_empty_lines=False,
                newlines_in_values=False,
                invalid_row_handler=note_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(keys, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None
    if invalid:
        return None
    return pa.table({name: pc.utf8_trim_whitespace(table.column(key)) for name, key in zip(names, keys, strict=True)})


def drop_blank_rows(table: pa.Table, first_row: int) -> tuple[pa.Table, list[int]]:
    """The rows with any filled cell, and their row numbers (row i of ``table`` is ``first_row + i``)."""
    if table.num_columns == 0:
        return table, []
    keep = pc.not_equal(table.column(0).combine_chunks(), "")
    if not pc.all(keep).as_py():  # only then look at the other columns
        for column in table.columns[1:]:
            keep = pc.or_(keep, pc.not_equal(column.combine_chunks(), ""))
    if pc.all(keep).as_py():
        return table, list(range(first_row, first_row + table.num_rows))
    kept = pc.indices_nonzero(keep).to_pylist()
    return table.filter(keep), [first_row + index for index in kept]


def _decimal(table: pa.Table) -> str | None:
    sample = table.slice(0, DECIMAL_SAMPLE_ROWS)
    cells = [text for column in sample.columns for text in column.to_pylist() if text and looks_numeric(text)]
    return detect_decimal(cells)


def read_large(
    text: str, delimiter: str, options: ReadOptions, file_name: str, detected: dict[str, str], default_decimal: str
) -> RawTable | None:
    starts = _line_starts(text, HEAD_RECORDS)
    records = parse_records(text[: starts[-1]], delimiter, file_name, limit=HEAD_RECORDS)
    if len(records) != len(starts) - 1:
        return None
    head = grid_of(records)
    layout = locate_header(head, options)
    if not layout.rows or layout.body >= len(records):
        return None
    width = max(len(fields) for _, fields in records[layout.rows[0] : layout.body])
    names = header_names(head, layout, width)
    body_end, notes_count = _notes_at_end(text, delimiter)
    body = text[starts[layout.body] : body_end]
    lines = body.count("\n") + 1
    if options.max_rows is not None and lines > options.max_rows:
        raise too_many_rows(file_name, options.max_rows)
    table = arrow_body(body, delimiter, names)
    if table is None or table.num_rows != lines:
        return None
    first_row = layout.body + 1
    table, source_rows = drop_blank_rows(table, first_row)
    notes = [f"{notes_count} note lines below the data skipped."] if notes_count else []
    if layout.start > 0:
        notes.insert(0, f"Rows 1-{layout.start} skipped: title lines above the header.")
    return RawTable(
        table=table,
        source_rows=source_rows,
        file_name=file_name,
        format=CsvReader.format,
        detected={
            **detected,
            "header_row": str(layout.start + 1),
            "header_rows": str(len(layout.rows)),
            "decimal": options.decimal or _decimal(table) or default_decimal,
        },
        notes=notes,
    )
