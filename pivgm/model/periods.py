"""SDMX time periods: annual ``2023``, quarterly ``2023-Q3``, monthly ``2023-07``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pivgm.errors import InvalidParameterError


class Frequency(StrEnum):
    ANNUAL = "A"
    QUARTERLY = "Q"
    MONTHLY = "M"


_PATTERNS: tuple[tuple[Frequency, re.Pattern[str]], ...] = (
    (Frequency.ANNUAL, re.compile(r"^(\d{4})$")),
    (Frequency.QUARTERLY, re.compile(r"^(\d{4})-Q([1-4])$")),
    (Frequency.MONTHLY, re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period; ordered by start date, then by length."""

    start: date
    end: date
    frequency: Frequency

    def __str__(self) -> str:
        if self.frequency is Frequency.ANNUAL:
            return f"{self.start.year}"
        if self.frequency is Frequency.QUARTERLY:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> Period:
    """Parse an SDMX period; raises ``InvalidParameterError`` saying which forms are accepted."""
    value = text.strip()
    for frequency, pattern in _PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        year = int(match.group(1))
        if frequency is Frequency.ANNUAL:
            return Period(date(year, 1, 1), date(year, 12, 31), frequency)
        if frequency is Frequency.QUARTERLY:
            first_month = (int(match.group(2)) - 1) * 3 + 1
            return Period(date(year, first_month, 1), _month_end(year, first_month + 2), frequency)
        month = int(match.group(2))
        return Period(date(year, month, 1), _month_end(year, month), frequency)
    raise InvalidParameterError(
        f"Period {text!r} is not valid: use YYYY (2023), YYYY-Qn (2023-Q3) or YYYY-MM (2023-07).",
        value=text,
    )


def period_of(day: date, frequency: Frequency) -> str:
    """The SDMX period label of the period of ``frequency`` that contains ``day``."""
    if frequency is Frequency.ANNUAL:
        return f"{day.year}"
    if frequency is Frequency.QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"
