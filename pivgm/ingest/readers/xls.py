"""Legacy Excel workbooks (.xls, BIFF), read with xlrd, with merged cells and cell formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import xlrd

from pivgm.ingest.readers.base import RawTable, ReadOptions, library_errors, too_many_rows
from pivgm.ingest.readers.header import Grid
from pivgm.ingest.readers.sheet import tabulate
from pivgm.ingest.readers.spreadsheet import cell_text, choose_sheet
from pivgm.ingest.readers.text import read_bytes

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HINT = "Open the file in Excel or LibreOffice and save it as .xlsx."


def _open(raw: bytes) -> Any:
    try:
        return xlrd.open_workbook(file_contents=raw, formatting_info=True, on_demand=True)
    except NotImplementedError:  # formatting of some BIFF versions is not supported: read values only
        return xlrd.open_workbook(file_contents=raw, on_demand=True)


def _value(book: Any, sheet: Any, row: int, column: int) -> tuple[str, bool]:
    kind = sheet.cell_type(row, column)
    value = sheet.cell_value(row, column)
    if kind == xlrd.XL_CELL_DATE:
        number_format = "General"
        if book.formatting_info:
            xf = book.xf_list[sheet.cell_xf_index(row, column)]
            number_format = book.format_map[xf.format_key].format_str
        return cell_text(xlrd.xldate_as_datetime(value, book.datemode), number_format)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(value))
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR"), False
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return "", False
    return cell_text(value)


def _indent(book: Any, sheet: Any, row: int) -> int:
    if sheet.ncols == 0:
        return 0
    text = sheet.cell_value(row, 0)
    spaces = len(text) - len(text.lstrip(" \u00a0")) if isinstance(text, str) else 0
    level = book.xf_list[sheet.cell_xf_index(row, 0)].alignment.indent_level if book.formatting_info else 0
    return spaces + 4 * int(level)


def sheet_grid(book: Any, sheet: Any, row_cap: int | None, file_name: str) -> Grid:
    merges = [(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in getattr(sheet, "merged_cells", [])]
    grid = Grid(rows=[], numbers=[], row_numbers=[], indents=[], merges=merges)
    for row in range(sheet.nrows):
        if row_cap is not None and row >= row_cap:
            raise too_many_rows(file_name, row_cap)
        values = [_value(book, sheet, row, column) for column in range(sheet.row_len(row))]
        while values and not values[-1][0]:
            values.pop()
        grid.rows.append([text for text, _ in values])
        grid.numbers.append([number for _, number in values])
        grid.row_numbers.append(row + 1)
        grid.indents.append(_indent(book, sheet, row))
    return grid


class XlsReader:
    """Excel 97-2003 workbooks (an OLE2 compound file)."""

    format: ClassVar[str] = "xls"

    @classmethod
    def handles(cls, path: Path, head: bytes) -> bool:
        return head.startswith(OLE_SIGNATURE)

    @classmethod
    def read(cls, path: Path, options: ReadOptions, file_name: str) -> RawTable:
        raw = read_bytes(path, file_name)
        with library_errors(file_name, "workbook", HINT):
            book = _open(raw)
            try:
                names = book.sheet_names()
                name = choose_sheet(names, options.sheet, lambda n: book.sheet_by_name(n).nrows > 0, file_name)
                cap = options.max_rows + 1000 if options.max_rows is not None else None
                grid = sheet_grid(book, book.sheet_by_name(name), cap, file_name)
            finally:
                book.release_resources()
        return tabulate(grid, options, file_name=file_name, format=cls.format, detected={"sheet": name})

    @classmethod
    def sheet_names(cls, path: Path, file_name: str) -> list[str]:
        raw = read_bytes(path, file_name)
        with library_errors(file_name, "workbook", HINT):
            book = xlrd.open_workbook(file_contents=raw, on_demand=True)
            try:
                return list(book.sheet_names())
            finally:
                book.release_resources()
