"""Files people upload by mistake, recognised by their first bytes and refused with a useful message."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pivgm.errors import SourceFormatError
from pivgm.ingest.readers.base import RawTable, ReadOptions

# First bytes (lower-cased, after blanks) -> what the file is and what to do instead.
SIGNATURES: dict[bytes, tuple[str, str]] = {
    b"%pdf": ("a PDF document", "Upload the spreadsheet or CSV the table was made from."),
    b"<!doctype html": (
        "a web page (HTML)",
        "Some systems save web pages with an .xls name: open it in Excel and save it as .xlsx.",
    ),
    b"<html": (
        "a web page (HTML)",
        "Some systems save web pages with an .xls name: open it in Excel and save it as .xlsx.",
    ),
    b"\x1f\x8b": ("a compressed (gzip) file", "Decompress it and upload the file inside."),
    b"{\\rtf": ("a Word/RTF document", "Upload the table as a spreadsheet or CSV."),
    b"\x89png": ("an image", "Upload the table as a spreadsheet or CSV."),
    b"\xff\xd8\xff": ("an image", "Upload the table as a spreadsheet or CSV."),
}


def _kind(head: bytes) -> tuple[str, str] | None:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return next((kind for signature, kind in SIGNATURES.items() if start.startswith(signature)), None)


class UnsupportedReader:
    """Recognises PDF, HTML, gzip, RTF and images, and says what to upload instead."""

    format: ClassVar[str] = "unsupported"

    @classmethod
    def handles(cls, path: Path, head: bytes) -> bool:
        return _kind(head) is not None

    @classmethod
    def read(cls, path: Path, options: ReadOptions, file_name: str) -> RawTable:
        with path.open("rb") as stream:
            kind = _kind(stream.read(64))
        what, hint = kind or ("not a table", "Upload a CSV, XLSX, XLS, SDMX-CSV or SDMX-ML file.")
        raise SourceFormatError(f"the file is {what}, not a data table.", file=file_name, hint=hint)
