"""Cells a spreadsheet will not execute: for every CSV or workbook the platform writes for people.

Text starting with ``= + - @``, a tab or a carriage return is run as a formula by Excel, LibreOffice and
Google Sheets (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``); such text gets a leading apostrophe, which
spreadsheets show as plain text. Numbers stay numbers, and so does text that is a plain number (``-12``,
``+3.5``): a spreadsheet reads it as a number, not a formula.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe(value: Any) -> Any:
    """``value`` as a cell a spreadsheet will not execute (anything but text is returned as is)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Any) -> list[Any]:
    """A CSV row: None as an empty cell, text neutralised, numbers as they are."""
    return ["" if v is None else safe(v) for v in values]
