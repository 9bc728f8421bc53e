"""Readers: any file a country submits, as a table of text with where each row came from.

``read_file`` asks each reader of ``READERS`` in turn whether it handles the file (by its first bytes, not
its name) and lets the first that does read it. Every problem with the file is a ``SourceFormatError``
naming file, row and column where they are known, and saying how to fix it.
"""

from __future__ import annotations

from pathlib import Path

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers.base import RawTable, Reader, ReadOptions, check_columns
from pivgm.ingest.readers.csv_reader import CsvReader
from pivgm.ingest.readers.sdmx_csv import SdmxCsvReader
from pivgm.ingest.readers.sdmx_ml import SdmxMlReader
from pivgm.ingest.readers.unsupported import UnsupportedReader
from pivgm.ingest.readers.xls import XlsReader
from pivgm.ingest.readers.xlsx import XlsxReader

HEAD_BYTES = 4096

# Most specific first: the CSV reader takes any text the others leave.
READERS: list[type[Reader]] = [XlsxReader, XlsReader, SdmxMlReader, UnsupportedReader, SdmxCsvReader, CsvReader]


DEFAULT_OPTIONS = ReadOptions()


def read_file(path: Path, options: ReadOptions = DEFAULT_OPTIONS, file_name: str | None = None) -> RawTable:
    """Read ``path`` with the first reader that handles it; ``file_name`` is the name the user knows."""
    name = file_name or path.name
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError as error:
        raise SourceFormatError(f"the file cannot be opened ({error.strerror}).", file=name) from None
    if options.max_rows is not None and options.max_rows < 1:
        raise SourceFormatError("the row limit must be at least 1.", file=name)
    reader = next(reader for reader in READERS if reader.handles(path, head))
    table = reader.read(path, options, name)
    check_columns(table.table.num_columns, options, name)  # readers of fixed layouts (SDMX) check here
    return table


def sheet_names(path: Path, file_name: str | None = None) -> list[str] | None:
    """The sheets of a workbook (XLSX or XLS), in order; None for any other file."""
    name = file_name or path.name
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    if XlsxReader.handles(path, head):
        return XlsxReader.sheet_names(path, name)
    if XlsReader.handles(path, head):
        return XlsReader.sheet_names(path, name)
    return None


__all__ = ["READERS", "RawTable", "ReadOptions", "Reader", "read_file", "sheet_names"]
