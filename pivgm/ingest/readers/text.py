"""Text files: which encoding and which delimiter, found without asking the user."""

from __future__ import annotations

import csv
import io
from collections import Counter
from itertools import islice
from pathlib import Path

from pivgm.errors import SourceFormatError

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
SNIFF_CHARS = 65_536
SNIFF_RECORDS = 60
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def read_bytes(path: Path, file_name: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceFormatError("the file does not exist.", file=file_name) from None
    except OSError as error:
        raise SourceFormatError(f"the file cannot be opened ({error.strerror}).", file=file_name) from None


def _line_of(raw: bytes, position: int) -> int:
    return raw.count(b"\n", 0, position) + 1


def decode(raw: bytes, encoding: str | None, file_name: str) -> tuple[str, str]:
    """The text and the encoding that gave it: the user's, else UTF-16 (by its mark), UTF-8 (with or
    without mark), Windows-1252, Latin-1 (which decodes any bytes)."""
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise SourceFormatError(f"{encoding!r} is not a known text encoding.", file=file_name) from None
        except UnicodeDecodeError as error:
            raise SourceFormatError(
                f"the file is not valid {encoding} text.",
                file=file_name,
                row=_line_of(raw, error.start),
                hint="Leave the encoding empty to detect it, or save the file as UTF-8.",
            ) from None
    if raw.startswith(_UTF16_BOMS):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise SourceFormatError(
                "the file starts like UTF-16 text but is not.", file=file_name, hint="Save it as UTF-8 CSV."
            ) from None
    for candidate in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        name = "utf-8" if candidate == "utf-8-sig" and not raw.startswith(b"\xef\xbb\xbf") else candidate
        return text, name
    return raw.decode("latin-1"), "latin-1"


def check_text(text: str, file_name: str) -> None:
    """Refuse binary content (a spreadsheet saved with a .csv name, a PDF, an image)."""
    sample = text[:SNIFF_CHARS]
    controls = sum(1 for ch in sample if ch in _CONTROL)
    if "\x00" in sample or controls > max(2, len(sample) // 200):
        raise SourceFormatError(
            "the file is not a text table: it holds binary data.",
            file=file_name,
            hint="Upload the spreadsheet itself (.xlsx or .xls) or save it as CSV.",
        )


def _records(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text[:SNIFF_CHARS], newline=""), delimiter=delimiter)
    try:
        return [row for row in islice(reader, SNIFF_RECORDS) if any(cell.strip() for cell in row)]
    except csv.Error:
        return []


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits most rows into the same number (more than one) of fields."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = Counter(len(row) for row in _records(text, delimiter))
        counts.pop(1, None)
        if not counts:
            continue
        fields, rows = counts.most_common(1)[0]
        if (rows, fields) > best_score:
            best, best_score = delimiter, (rows, fields)
    return best
