"""Text files: which encoding and which delimiter, found without asking the user."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pivgm.errors import SourceFormatError

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
SNIFF_CHARS = 65_536
SNIFF_RECORDS = 60
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_MARK = b"\xef\xbb\xbf"
CHECK_BYTES = 8 << 20  # UTF-8 is checked this many bytes at a time: never the whole file as text
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


def _not_valid(raw: bytes, encoding: str, position: int, file_name: str) -> SourceFormatError:
    return SourceFormatError(
        f"the file is not valid {encoding} text.",
        file=file_name,
        row=_line_of(raw, position),
        hint="Leave the encoding empty to detect it, or save the file as UTF-8.",
    )


def decode(raw: bytes, encoding: str | None, file_name: str) -> tuple[str, str]:
    """The text and the encoding that gave it: the user's, else UTF-16 (by its mark), UTF-8 (with or
    without mark), Windows-1252, Latin-1 (which decodes any bytes)."""
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise SourceFormatError(f"{encoding!r} is not a known text encoding.", file=file_name) from None
        except UnicodeDecodeError as error:
            raise _not_valid(raw, encoding, error.start, file_name) from None
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


@dataclass(frozen=True)
class Utf8Text:
    """A file checked to be UTF-8 without decoding it whole: its text is ``raw[begin:]``."""

    begin: int  # after the byte order mark, when the encoding drops it
    chars: int  # the length of the text
    encoding: str  # as ``decode`` names it

    def head(self, raw: bytes, chars: int) -> str:
        """The first ``chars`` characters of the text."""
        return codecs.utf_8_decode(raw[self.begin : self.begin + 4 * chars], "strict", False)[0][:chars]


def utf8_text(raw: bytes, encoding: str | None, file_name: str) -> Utf8Text | None:
    """``raw`` as ``decode`` would read it when that is UTF-8 (the user's encoding, or detected), checked
    a block at a time; None when ``decode`` would read another encoding. A byte that is not UTF-8 when the
    user said UTF-8 is the same error, naming the same row, as ``decode`` gives."""
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            return None  # ``decode`` says so
        if name not in ("utf-8", "utf-8-sig"):
            return None
        begin = len(_UTF8_MARK) if name == "utf-8-sig" and raw.startswith(_UTF8_MARK) else 0
    elif raw.startswith(_UTF16_BOMS):
        return None
    else:
        begin = len(_UTF8_MARK) if raw.startswith(_UTF8_MARK) else 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    chars, view, end = 0, memoryview(raw), begin
    try:
        for start in range(begin, len(raw), CHECK_BYTES):
            end = min(start + CHECK_BYTES, len(raw))
            chars += len(decoder.decode(view[start:end], final=end == len(raw)))
    except UnicodeDecodeError as error:  # its bytes are the block and what was left of the one before
        if encoding is None:
            return None
        raise _not_valid(raw, encoding, end - len(error.object) + error.start, file_name) from None
    if encoding is None:
        encoding = "utf-8-sig" if begin else "utf-8"
    return Utf8Text(begin, chars, encoding)


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
