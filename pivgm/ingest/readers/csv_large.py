"""Large CSV files: the header and trailing notes found as for small ones, the body parsed by Arrow.

Row numbers are line numbers, so this path is taken only when every line is one record: no line breaks
inside quoted fields, no blank or ragged lines in the body. Otherwise ``read_large`` returns None and the
file is read record by record.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pivgm.ingest.numbers import detect_decimal, looks_numeric
from pivgm.ingest.readers.base import RawTable, ReadOptions, check_columns, too_many_rows
from pivgm.ingest.readers.csv_reader import CsvReader, check_widths, grid_of, parse_records
from pivgm.ingest.readers.header import header_names, locate_header
from pivgm.ingest.report import Note
from pivgm.warehouse.encoding import INDEX, TEXT, encode, is_encoded, transform

HEAD_RECORDS = 200
BLOCK_BYTES = 16 << 20  # Arrow parses blocks in parallel; fewer blocks, fewer dictionaries to unify
TAIL_LINES = 60
DECIMAL_SAMPLE_ROWS = 2000


def _line_starts(data: bytes, begin: int, count: int) -> list[int]:
    """Offsets in ``data`` of the starts of the first ``count`` lines from ``begin``, and of the line after
    them (a line break is one byte in UTF-8, never part of another character)."""
    starts, position = [begin], begin
    while len(starts) <= count:
        position = data.find(b"\n", position) + 1
        if position == 0 or position >= len(data):
            break
        starts.append(position)
    return starts


def _notes_at_end(data: bytes, begin: int, delimiter: str) -> tuple[int, int]:
    """Where the trailing blank and note lines (one text field, no figure) begin, and how many hold text."""
    end = len(data)
    while end > begin and data[end - 1] in b"\r\n":  # not rstrip: that would copy the whole file
        end -= 1
    notes = 0
    for _ in range(TAIL_LINES):
        start = max(data.rfind(b"\n", begin, end) + 1, begin)
        line = data[start:end].decode("utf-8")
        fields = [f.strip() for f in next(csv.reader([line], delimiter=delimiter), [])]
        filled = [f for f in fields if f]
        if len(filled) > 1 or any(looks_numeric(f) for f in filled):
            break
        notes += bool(filled)
        end = max(start - 1, begin)
    return end, notes


def arrow_body(body: str | memoryview, delimiter: str, names: list[str], *, encoded: bool = False) -> pa.Table | None:
    """The body's fields as trimmed text, one column per name; None when a line has another number of
    fields. ``encoded`` keeps each column dictionary-encoded (its distinct values stored once)."""
    invalid: list[int] = []
    text_type = pa.dictionary(INDEX, TEXT) if encoded else TEXT

    def note_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row.actual_columns)
        return "skip"

    keys = [f"f{i}" for i in range(len(names))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body.encode("utf-8") if isinstance(body, str) else body),
            read_options=pacsv.ReadOptions(column_names=keys, block_size=BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                ignore_empty_lines=False,
                newlines_in_values=False,
                invalid_row_handler=note_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(keys, text_type),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        return None
    if invalid:
        return None
    if encoded:
        table = table.unify_dictionaries()
        columns = [transform(_joined(table.column(key)), pc.utf8_trim_whitespace) for key in keys]
    else:
        columns = [pc.utf8_trim_whitespace(table.column(key)) for key in keys]
    return pa.table(dict(zip(names, columns, strict=True)))


def _joined(column: pa.ChunkedArray) -> pa.DictionaryArray:
    """The chunks of a column whose chunks share one dictionary, as one array."""
    if column.num_chunks == 0:
        return encode(column)
    indices = pa.concat_arrays([chunk.indices for chunk in column.chunks])
    return encode(pa.DictionaryArray.from_arrays(indices, column.chunk(0).dictionary))


def _filled(column: pa.ChunkedArray) -> pa.Array:
    if is_encoded(column):
        encoded = encode(column)
        return pc.invert(pc.is_in(encoded.indices, value_set=pc.indices_nonzero(pc.equal(encoded.dictionary, ""))))
    return pc.not_equal(column.combine_chunks(), "")


def drop_blank_rows(table: pa.Table, first_row: int) -> tuple[pa.Table, Sequence[int]]:
    """The rows with any filled cell, and their row numbers (row i of ``table`` is ``first_row + i``)."""
    if table.num_columns == 0:
        return table, []
    keep = _filled(table.column(0))
    if not pc.all(keep).as_py():  # only then look at the other columns
        for column in table.columns[1:]:
            keep = pc.or_(keep, _filled(column))
    if pc.all(keep).as_py():
        return table, range(first_row, first_row + table.num_rows)
    kept = pc.indices_nonzero(keep).to_pylist()
    return table.filter(keep), [first_row + index for index in kept]


def _decimal(table: pa.Table) -> str | None:
    sample = table.slice(0, DECIMAL_SAMPLE_ROWS)
    cells = [text for column in sample.columns for text in column.to_pylist() if text and looks_numeric(text)]
    return detect_decimal(cells)


def read_large(
    data: str | bytes,
    delimiter: str,
    options: ReadOptions,
    file_name: str,
    detected: dict[str, str],
    default_decimal: str,
    begin: int = 0,
) -> RawTable | None:
    """The text read by Arrow, or None when it needs the record-by-record reader. ``data`` is the text, or
    its UTF-8 bytes from ``begin`` (e.g. the file itself after its byte order mark, read without decoding
    it whole: only the header lines and the notes at the end become text)."""
    if isinstance(data, str):
        data, begin = data.encode("utf-8"), 0
    starts = _line_starts(data, begin, HEAD_RECORDS)
    records = parse_records(data[begin : starts[-1]].decode("utf-8"), delimiter, file_name, limit=HEAD_RECORDS)
    if len(records) != len(starts) - 1:
        return None
    check_widths(records, options, file_name)
    head = grid_of(records)
    layout = locate_header(head, options)
    if not layout.rows or layout.body >= len(records):
        return None
    width = max(len(fields) for _, fields in records[layout.rows[0] : layout.body])
    check_columns(width, options, file_name)
    names = header_names(head, layout, width)
    body_end, notes_count = _notes_at_end(data, begin, delimiter)
    first = starts[layout.body]
    body, lines = memoryview(data)[first:body_end], data.count(b"\n", first, body_end) + 1
    if options.max_rows is not None and lines > options.max_rows:
        raise too_many_rows(file_name, options.max_rows)
    table = arrow_body(body, delimiter, names, encoded=True)
    if table is None or table.num_rows != lines:
        return None
    first_row = layout.body + 1
    table, source_rows = drop_blank_rows(table, first_row)
    notes: list[str] = []
    if notes_count:
        notes.append(
            Note(
                f"{notes_count} note lines below the data skipped.",
                f"{notes_count} líneas de notas bajo los datos omitidas.",
            )
        )
    if layout.start > 0:
        notes.insert(
            0,
            Note(
                f"Rows 1-{layout.start} skipped: title lines above the header.",
                f"Filas 1-{layout.start} omitidas: líneas de título sobre el encabezado.",
            ),
        )
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
