"""Large CSV files: the header and trailing notes found as for small ones, the body parsed by Arrow.

Row numbers are line numbers, so this path is taken only when every line is one record: no line breaks
inside quoted fields, no blank or ragged lines in the body. Otherwise ``read_large`` returns None and the
file is read record by record.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pivgm.ingest.numbers import detect_decimal, looks_numeric
from pivgm.ingest.readers.base import RawTable, ReadOptions, check_columns, too_many_rows
from pivgm.ingest.readers.csv_reader import CsvReader, check_widths, grid_of, parse_records
from pivgm.ingest.readers.header import header_names, locate_header
from pivgm.ingest.readers.text import _UTF8_MARK, _UTF16_BOMS, SNIFF_CHARS, check_text, sniff_delimiter
from pivgm.ingest.report import Note
from pivgm.warehouse.encoding import INDEX, TEXT, encode, index_type, is_encoded, transform

HEAD_RECORDS = 200
BLOCK_BYTES = 4 << 20  # Arrow parses blocks in parallel; 16 MB blocks held 60-120 MB more while reading
TAIL_LINES = 60
EDGE_BYTES = 1 << 20  # what is read as text of a large file's start and end (its header, its notes)
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


def arrow_body(
    body: str | memoryview | io.RawIOBase, delimiter: str, names: list[str], *, encoded: bool = False
) -> pa.Table | None:
    """The body's fields as trimmed text, one column per name; None when a line has another number of
    fields or is not UTF-8. ``body`` is text, bytes, or a stream of bytes (read a block at a time).
    ``encoded`` keeps each column dictionary-encoded (its distinct values stored once)."""
    invalid: list[int] = []
    text_type = pa.dictionary(INDEX, TEXT) if encoded else TEXT

    def note_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row.actual_columns)
        return "skip"

    keys = [f"f{i}" for i in range(len(names))]
    try:
        table = pacsv.read_csv(
            body if isinstance(body, io.RawIOBase) else pa.py_buffer(_bytes(body)),
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
        parsed: list[pa.ChunkedArray | None] = list(table.unify_dictionaries().columns)
        del table
        columns = []
        for index in range(len(parsed)):  # each column's blocks freed once joined: never two copies of all
            column, parsed[index] = parsed[index], None
            assert column is not None
            columns.append(transform(_joined(column), pc.utf8_trim_whitespace))
            del column
    else:
        columns = [pc.utf8_trim_whitespace(table.column(key)) for key in keys]
    return pa.table(dict(zip(names, columns, strict=True)))


def _bytes(body: str | memoryview) -> bytes | memoryview:
    return body.encode("utf-8") if isinstance(body, str) else body


def _joined(column: pa.ChunkedArray) -> pa.DictionaryArray:
    """The chunks of a column whose chunks share one dictionary, as one array: each chunk's indices made
    narrow (see ``index_type``) before they are joined, so that the join copies a quarter of the bytes."""
    if column.num_chunks == 0:
        return encode(column)
    dictionary = column.chunk(0).dictionary
    narrow = index_type(len(dictionary))
    indices = pa.concat_arrays([chunk.indices.cast(narrow) for chunk in column.chunks])
    return encode(pa.DictionaryArray.from_arrays(indices, dictionary))


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
    located = _locate(data, begin, starts, delimiter, options, file_name)
    if located is None:
        return None
    body_end, notes_count = _notes_at_end(data, begin, delimiter)
    first = starts[located.body]
    lines = data.count(b"\n", first, body_end) + 1
    if options.max_rows is not None and lines > options.max_rows:
        raise too_many_rows(file_name, options.max_rows)
    table = arrow_body(memoryview(data)[first:body_end], delimiter, located.names, encoded=True)
    if table is None or table.num_rows != lines:
        return None
    return _raw_table(table, located, notes_count, file_name, detected, options, default_decimal)


@dataclass(frozen=True)
class _Located:
    """Where the header is (``start``: its first line, counted from 0; ``rows``: how many lines it has) and
    the body begins (a record number), and the column names."""

    start: int
    rows: int
    body: int
    names: list[str]


def _locate(
    data: bytes, begin: int, starts: list[int], delimiter: str, options: ReadOptions, file_name: str
) -> _Located | None:
    """The header of the first records (``starts``: where their lines begin in ``data``)."""
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
    return _Located(layout.start, len(layout.rows), layout.body, header_names(head, layout, width))


def _raw_table(
    table: pa.Table,
    located: _Located,
    notes_count: int,
    file_name: str,
    detected: dict[str, str],
    options: ReadOptions,
    default_decimal: str,
) -> RawTable:
    first_row = located.body + 1
    table, source_rows = drop_blank_rows(table, first_row)
    notes: list[str] = []
    if notes_count:
        notes.append(
            Note(
                f"{notes_count} note lines below the data skipped.",
                f"{notes_count} líneas de notas bajo los datos omitidas.",
            )
        )
    if located.start > 0:
        notes.insert(
            0,
            Note(
                f"Rows 1-{located.start} skipped: title lines above the header.",
                f"Filas 1-{located.start} omitidas: líneas de título sobre el encabezado.",
            ),
        )
    return RawTable(
        table=table,
        source_rows=source_rows,
        file_name=file_name,
        format=CsvReader.format,
        detected={
            **detected,
            "header_row": str(located.start + 1),
            "header_rows": str(located.rows),
            "decimal": options.decimal or _decimal(table) or default_decimal,
        },
        notes=notes,
    )


class _Region(io.RawIOBase):
    """Bytes ``start`` to ``end`` of a file as a stream: Arrow parses a large file's body from it a block at a
    time, so the file is never whole in memory."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), self._left)
        if size <= 0:
            return 0
        got = self._file.readinto(memoryview(buffer).cast("B")[:size]) or 0
        self._left -= got
        return got

    def close(self) -> None:
        self._file.close()
        super().close()


def _count_lines(path: Path, start: int, end: int) -> int:
    """The lines between ``start`` and ``end``: the file mapped (no copy of its bytes) and its newlines
    counted by numpy a block at a time, in one reused buffer."""
    if end <= start:
        return 1
    with path.open("rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            return _newlines(np.frombuffer(mapped, np.uint8, end - start, start)) + 1
        finally:
            with suppress(BufferError):  # after an error its arrays may still look at the map: freed with them
                mapped.close()


def _newlines(body: np.ndarray) -> int:
    newline = np.empty(min(BLOCK_BYTES, len(body)), bool)
    count = 0
    for low in range(0, len(body), BLOCK_BYTES):
        block = body[low : low + BLOCK_BYTES]
        np.equal(block, ord("\n"), out=newline[: len(block)])
        count += int(np.count_nonzero(newline[: len(block)]))
    return count


def read_large_file(path: Path, options: ReadOptions, file_name: str) -> RawTable | None:
    """A large file that looks like UTF-8 (no encoding given) read by Arrow from the file itself: only its
    first and last lines are read as text, the body is parsed a block at a time (Arrow checks that it is
    UTF-8). None when it needs the reading of its whole bytes (another encoding, very long lines, notes
    further from the end...), which gives the same table, or the precise error."""
    if options.encoding is not None:
        return None
    size = path.stat().st_size
    with path.open("rb") as file:
        data = file.read(EDGE_BYTES)
        tail_start = max(size - EDGE_BYTES, len(data))
        file.seek(tail_start)
        tail = file.read()
    begin = len(_UTF8_MARK) if data.startswith(_UTF8_MARK) else 0
    starts = _line_starts(data, begin, HEAD_RECORDS)
    if data.startswith(_UTF16_BOMS) or len(starts) != HEAD_RECORDS + 1 or len(tail) < EDGE_BYTES:
        return None
    try:
        text = codecs.utf_8_decode(data[begin : begin + 4 * SNIFF_CHARS], "strict", False)[0][:SNIFF_CHARS]
        check_text(text, file_name)
        delimiter = options.delimiter or sniff_delimiter(text)
        located = _locate(data, begin, starts, delimiter, options, file_name)
        end, notes_count = _notes_at_end(tail, 0, delimiter)
    except UnicodeDecodeError:
        return None
    if located is None or end <= tail.find(b"\n") + 1:  # the notes reach the first line of the tail, cut
        return None
    first, body_end = starts[located.body], tail_start + end
    lines = _count_lines(path, first, body_end)
    if options.max_rows is not None and lines > options.max_rows:
        raise too_many_rows(file_name, options.max_rows)
    with _Region(path, first, body_end) as body:
        table = arrow_body(body, delimiter, located.names, encoded=True)
    if table is None or table.num_rows != lines:
        return None
    detected = {"encoding": "utf-8-sig" if begin else "utf-8", "delimiter": delimiter}
    return _raw_table(table, located, notes_count, file_name, detected, options, "," if delimiter == ";" else ".")
