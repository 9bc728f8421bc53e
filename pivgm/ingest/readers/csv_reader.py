"""CSV and TSV files as national systems export them: any of four delimiters, UTF-8/UTF-16/Windows-1252,
decimal commas, title lines above the header and notes below the data.

Files up to ``LAYOUT_CHARS`` characters get the whole spreadsheet treatment (headings, split labels, row
groups: see ``body``). Larger files are machine exports: header and footnotes are found the same way, the
rows in between are parsed by Arrow, trimmed, and blank rows dropped. A large UTF-8 file is checked to be
UTF-8 a block at a time and parsed from its bytes: it is never decoded whole into text; above
``STREAM_BYTES`` it is parsed from the file a block at a time, never whole in memory.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import ClassVar

from pivgm.errors import SourceFormatError
from pivgm.ingest.numbers import looks_numeric
from pivgm.ingest.readers.base import RawTable, ReadOptions, check_columns
from pivgm.ingest.readers.header import Grid
from pivgm.ingest.readers.sheet import tabulate
from pivgm.ingest.readers.text import SNIFF_CHARS, check_text, decode, read_bytes, sniff_delimiter, utf8_text

LAYOUT_CHARS = 4_000_000
STREAM_BYTES = 4 * LAYOUT_CHARS  # larger files are parsed from the file itself, never whole in memory


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # ``read_bytes`` says what is wrong


def _leading_spaces(text: str) -> int:
    return len(text) - len(text.lstrip(" \u00a0"))


def grid_of(records: list[tuple[int, list[str]]]) -> Grid:
    """A grid of parsed CSV records, each with its row number."""
    rows = [[cell.strip() for cell in cells] for _, cells in records]
    return Grid(
        rows=rows,
        numbers=[[looks_numeric(cell) for cell in row] for row in rows],
        row_numbers=[number for number, _ in records],
        indents=[_leading_spaces(cells[0]) if cells else 0 for _, cells in records],
        merges=[],
    )


def check_widths(records: list[tuple[int, list[str]]], options: ReadOptions, file_name: str) -> None:
    """Refuse records wider than the column cap (trailing empty fields aside) as soon as they are split,
    before any per-cell work: a header of a million columns is refused in about a second."""
    widest = 0
    for _, fields in records:
        if len(fields) > widest:
            used = len(fields)
            while used > widest and not fields[used - 1].strip():
                used -= 1
            widest = max(widest, used)
    check_columns(widest, options, file_name)


def parse_records(text: str, delimiter: str, file_name: str, limit: int | None = None) -> list[tuple[int, list[str]]]:
    """(row number, fields) for each record; row numbers count records, as a spreadsheet shows them."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for number, fields in enumerate(reader, start=1):
            records.append((number, fields))
            if limit is not None and number >= limit:
                break
    except csv.Error as error:
        raise SourceFormatError(
            f"the text cannot be split into fields ({error}).",
            file=file_name,
            row=len(records) + 1,
            hint='Check the quotes in that row: a field that starts with " must end with ".',
        ) from None
    return records


class CsvReader:
    """Delimited text; the reader of last resort for anything that is text."""

    format: ClassVar[str] = "csv"

    @classmethod
    def handles(cls, path: Path, head: bytes) -> bool:
        return True

    @classmethod
    def read(cls, path: Path, options: ReadOptions, file_name: str) -> RawTable:
        if _size(path) > STREAM_BYTES:  # more than LAYOUT_CHARS characters, whatever the encoding
            from pivgm.ingest.readers.csv_large import read_large_file  # builds on this module

            streamed = read_large_file(path, options, file_name)
            if streamed is not None:
                return streamed
        raw = read_bytes(path, file_name)
        if not raw or raw.isspace():
            raise SourceFormatError("the file is empty.", file=file_name, hint="Export the file again with its data.")
        utf8 = utf8_text(raw, options.encoding, file_name) if len(raw) > LAYOUT_CHARS else None
        if utf8 is not None and utf8.chars > LAYOUT_CHARS:  # a machine export in UTF-8: never decoded whole
            head = utf8.head(raw, SNIFF_CHARS)
            check_text(head, file_name)
            large = cls._large(raw, head, utf8.encoding, options, file_name, utf8.begin)
            if large is not None:
                return large
        text, encoding = decode(raw, options.encoding, file_name)
        check_text(text, file_name)
        if len(text) > LAYOUT_CHARS and utf8 is None:  # (fewer bytes cannot be more characters)
            large = cls._large(text, text, encoding, options, file_name)
            if large is not None:
                return large
        delimiter = options.delimiter or sniff_delimiter(text)
        records = parse_records(text, delimiter, file_name)
        check_widths(records, options, file_name)
        grid = grid_of(records)
        return tabulate(
            grid,
            options,
            file_name=file_name,
            format=cls.format,
            detected={"encoding": encoding, "delimiter": delimiter},
            default_decimal="," if delimiter == ";" else ".",
        )

    @staticmethod
    def _large(
        data: str | bytes, head: str, encoding: str, options: ReadOptions, file_name: str, begin: int = 0
    ) -> RawTable | None:
        """A large file read by Arrow (``data``: its text, or its UTF-8 bytes from ``begin``), or None when
        it needs the record-by-record reader."""
        from pivgm.ingest.readers.csv_large import read_large  # builds on this module

        delimiter = options.delimiter or sniff_delimiter(head)
        detected = {"encoding": encoding, "delimiter": delimiter}
        return read_large(data, delimiter, options, file_name, detected, "," if delimiter == ";" else ".", begin)
