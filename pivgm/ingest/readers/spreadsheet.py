"""What XLSX and XLS reading share: cell values as text, dates by their display format, sheet choice."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from pivgm.errors import SourceFormatError
from pivgm.ingest.numbers import looks_numeric

_FORMAT_NOISE = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.')


def date_text(value: date | datetime, number_format: str) -> str:
    """A date cell as the period its display format shows: "mmm-yy" -> 2024-01, "yyyy" -> 2024, else the day."""
    shown = _FORMAT_NOISE.sub("", number_format.lower())
    if isinstance(value, datetime) and value.time() != time(0) and ("h" in shown or "s" in shown):
        return value.isoformat(sep=" ")
    day = value.date() if isinstance(value, datetime) else value
    if "d" in shown or "general" in shown or not shown:
        return day.isoformat()
    if "m" in shown:
        return f"{day.year}-{day.month:02d}"
    if "y" in shown:
        return str(day.year)
    return day.isoformat()


def number_text(value: float) -> str:
    """A numeric cell as text: whole numbers without ".0", others in their shortest exact form."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def cell_text(value: object, number_format: str = "General") -> tuple[str, bool]:
    """(text, holds a number) for a cell value as openpyxl or xlrd give it."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "", False
        return number_text(value), True
    if isinstance(value, datetime | date):
        return date_text(value, number_format), False
    if isinstance(value, time):
        return value.isoformat(), False
    text = str(value).strip()
    return text, looks_numeric(text)


def choose_sheet(
    names: Sequence[str], wanted: str | int | None, has_data: Callable[[str], bool], file_name: str
) -> str:
    """The sheet the user named (by name or 0-based position), else the first that holds anything."""
    if isinstance(wanted, int):
        if 0 <= wanted < len(names):
            return names[wanted]
        raise SourceFormatError(
            f"the workbook has {len(names)} sheets; there is no sheet number {wanted + 1}.",
            file=file_name,
            hint=f"Its sheets are: {', '.join(names)}.",
        )
    if isinstance(wanted, str):
        if wanted in names:
            return wanted
        raise SourceFormatError(
            f"the workbook has no sheet called {wanted!r}.", file=file_name, hint=f"Its sheets are: {', '.join(names)}."
        )
    for name in names:
        if has_data(name):
            return name
    raise SourceFormatError("every sheet of the workbook is empty.", file=file_name)
