"""Excel workbooks (.xlsx), read with openpyxl in read-only mode after a decompression-bomb check.

Read-only mode streams the cells but does not report merged cells, so the sheet's ``mergeCell`` elements
are read separately (also streamed) to rebuild multi-row headers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, ClassVar

from pivgm.errors import ExpansionLimitError, SourceFormatError
from pivgm.ingest.readers.base import RawTable, ReadOptions, library_errors, too_many_rows
from pivgm.ingest.readers.header import Grid, Merge
from pivgm.ingest.readers.sheet import tabulate
from pivgm.ingest.readers.spreadsheet import cell_text, choose_sheet

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024  # members smaller than this may compress as well as they like
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HINT = "Open the file in Excel or LibreOffice and save it again as .xlsx."


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / 1024 / 1024:,.0f} MB"


def check_zip(
    path: Path, file_name: str, *, max_bytes: int = MAX_UNCOMPRESSED_BYTES, max_ratio: float = MAX_RATIO
) -> None:
    """Refuse a zip that would expand past ``max_bytes`` or whose members compress more than ``max_ratio``
    times, before any of it is decompressed; and a zip that is not an Excel workbook."""
    with library_errors(file_name, "workbook (damaged zip)", HINT), zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        names = {member.filename for member in members}
    total = sum(member.file_size for member in members)
    if total > max_bytes:
        raise ExpansionLimitError(
            f"the file expands to {_megabytes(total)}, which is more than the {_megabytes(max_bytes)} allowed.",
            file=file_name,
            hint="Remove unused sheets, or split the data into several files.",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > max_ratio:
            raise ExpansionLimitError(
                f"the file expands to {_megabytes(total)} from {_megabytes(path.stat().st_size)} "
                f"(part {member.filename!r} {ratio:,.0f} times), which is more than the {max_ratio:g} times "
                "a workbook may expand.",
                file=file_name,
                hint=HINT,
            )
    if "xl/workbook.xml" not in names:
        kind = "an OpenDocument spreadsheet" if "content.xml" in names else "a zip archive, not an Excel workbook"
        raise SourceFormatError(f"the file is {kind}.", file=file_name, hint="Save it as .xlsx or CSV and upload that.")


def read_merges(path: Path, member: str, file_name: str) -> list[Merge]:
    """The merged ranges of one worksheet, as 0-based (first row, last row, first column, last column)."""
    from lxml import etree
    from openpyxl.utils import range_boundaries

    merges: list[Merge] = []
    with library_errors(file_name, "worksheet", HINT), zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        for _, element in etree.iterparse(
            xml, events=("end",), tag=f"{_MAIN}mergeCell", resolve_entities=False, no_network=True
        ):
            c0, r0, c1, r1 = range_boundaries(element.get("ref", ""))
            if None not in (c0, r0, c1, r1):
                merges.append((int(r0) - 1, int(r1) - 1, int(c0) - 1, int(c1) - 1))
            element.clear()
    return merges


def _has_data(workbook: Any, name: str) -> bool:
    sheet = workbook[name]
    if getattr(sheet, "sheet_state", "visible") != "visible":
        return False
    return any(value is not None for row in sheet.iter_rows(max_row=200, values_only=True) for value in row)


def _leading_spaces(text: str) -> int:
    return len(text) - len(text.lstrip(" \u00a0"))


def sheet_grid(sheet: Any, merges: list[Merge], row_cap: int | None, file_name: str) -> Grid:
    """The worksheet's cells as a ``Grid``; rows numbered as Excel shows them."""
    grid = Grid(rows=[], numbers=[], row_numbers=[], indents=[], merges=merges)
    sheet.reset_dimensions()
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        texts, numbers = [], []
        for cell in cells:
            text, is_number = cell_text(cell.value, getattr(cell, "number_format", "General") or "General")
            texts.append(text)
            numbers.append(is_number)
        while texts and not texts[-1]:
            texts.pop()
            numbers.pop()
        first = cells[0] if cells else None
        raw = first.value if first is not None and isinstance(first.value, str) else ""
        indent = int(getattr(getattr(first, "alignment", None), "indent", 0) or 0) if first is not None else 0
        grid.rows.append(texts)
        grid.numbers.append(numbers)
        grid.row_numbers.append(number)
        grid.indents.append(_leading_spaces(raw) + 4 * indent)
        if row_cap is not None and number > row_cap:
            raise too_many_rows(file_name, row_cap)
    return grid


class XlsxReader:
    """Office Open XML workbooks."""

    format: ClassVar[str] = "xlsx"

    @classmethod
    def handles(cls, path: Path, head: bytes) -> bool:
        return head.startswith(b"PK\x03\x04")

    @classmethod
    def read(cls, path: Path, options: ReadOptions, file_name: str) -> RawTable:
        import openpyxl  # loads with the first workbook: reading a CSV file needs none of it (0.1 s)

        check_zip(path, file_name)
        with library_errors(file_name, "workbook", HINT), path.open("rb") as stream:
            # A stream, not the path: openpyxl refuses names without an Excel extension.
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
            try:
                name = choose_sheet(workbook.sheetnames, options.sheet, lambda n: _has_data(workbook, n), file_name)
                sheet = workbook[name]
                merges = read_merges(path, sheet._worksheet_path, file_name)
                cap = options.max_rows + 1000 if options.max_rows is not None else None
                grid = sheet_grid(sheet, merges, cap, file_name)
            finally:
                workbook.close()
        return tabulate(grid, options, file_name=file_name, format=cls.format, detected={"sheet": name})

    @classmethod
    def sheet_names(cls, path: Path, file_name: str) -> list[str]:
        import openpyxl

        check_zip(path, file_name)
        with library_errors(file_name, "workbook", HINT), path.open("rb") as stream:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
            try:
                return list(workbook.sheetnames)
            finally:
                workbook.close()
