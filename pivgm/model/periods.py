"""SDMX time periods: calendar ``2023``, ``2023-Q3``, ``2023-07``, and reporting periods ``2022-A1``,
``2022-S1``, ``2022-Q1``, ``2022-M01``.

A reporting period counts from the day its reporting (fiscal) year starts, the attribute
``REPORTING_YEAR_START_DAY`` (``--10-01``): SDMX names the reporting year by the year it starts in, so US
fiscal year 2023 (October 2022 - September 2023) is ``2022-A1`` and its first quarter ``2022-Q1`` is
October - December 2022. ``2022-A1``, ``2022-S1`` and ``2022-M01`` are reporting periods by their form;
``2022-Q1`` is one only when a start day comes with it. Without a start day a reporting period is parsed as
if its year started on 1 January (SDMX's default), but it keeps its reporting form and is never labelled as
a calendar period.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from pivgm.errors import InvalidParameterError


class Frequency(StrEnum):
    ANNUAL = "A"
    SEMIANNUAL = "S"
    QUARTERLY = "Q"
    MONTHLY = "M"


_CALENDAR: tuple[tuple[Frequency, re.Pattern[str]], ...] = (
    (Frequency.ANNUAL, re.compile(r"^(\d{4})$")),
    (Frequency.QUARTERLY, re.compile(r"^(\d{4})-Q([1-4])$")),
    (Frequency.MONTHLY, re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
)
_REPORTING = re.compile(r"^(\d{4})-(A1|S[12]|Q[1-4]|M(?:0[1-9]|1[0-2]))$")
_REPORTING_ONLY = re.compile(r"^\d{4}-(A1|S[12]|M\d\d)$")
_START_DAY = re.compile(r"^--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_MONTHS = {Frequency.ANNUAL: 12, Frequency.SEMIANNUAL: 6, Frequency.QUARTERLY: 3, Frequency.MONTHLY: 1}


@dataclass(frozen=True, order=True)
class Period:
    """A period; ordered by start date, then by length. ``label`` is the SDMX id of a reporting period
    (``2022-A1``) and ``start_day`` its ``REPORTING_YEAR_START_DAY``; both are empty for calendar periods."""

    start: date
    end: date
    frequency: Frequency
    label: str = field(default="", compare=False)
    start_day: str | None = field(default=None, compare=False)

    @property
    def reporting(self) -> bool:
        return bool(self.label)

    def __str__(self) -> str:
        if self.label:
            return self.label
        if self.frequency is Frequency.ANNUAL:
            return f"{self.start.year}"
        if self.frequency is Frequency.QUARTERLY:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def is_reporting_period(text: str, start_day: str | None = None) -> bool:
    """``2022-A1``, ``2022-S1``, ``2022-M01`` always; ``2022-Q1`` when it comes with a start day."""
    value = text.strip()
    return bool(_REPORTING_ONLY.match(value) or (start_day and _REPORTING.match(value)))


def _reporting(text: str, start_day: str | None) -> Period:
    match = _REPORTING.match(text)
    if match is None or (start_day is not None and not _START_DAY.match(start_day.strip())):
        raise InvalidParameterError(
            f"Reporting period {text!r} with start day {start_day!r} is not valid: use e.g. 2022-A1 with --10-01.",
            value=text,
        )
    month, day = (1, 1) if start_day is None else (int(start_day.strip()[2:4]), int(start_day.strip()[5:7]))
    kind = match.group(2)
    frequency = {"A": Frequency.ANNUAL, "S": Frequency.SEMIANNUAL, "Q": Frequency.QUARTERLY}.get(
        kind[0], Frequency.MONTHLY
    )
    number = 1 if kind == "A1" else int(kind[1:])
    if int(match.group(1)) < 1:
        raise InvalidParameterError(f"Period {text!r} is not valid: its year must be 0001 or later.", value=text)
    try:
        year_start = date(int(match.group(1)), month, day)
    except ValueError:
        raise InvalidParameterError(f"{start_day!r} is not a day of the year.", value=start_day) from None
    length = _MONTHS[frequency]
    start = _add_months(year_start, (number - 1) * length)
    end = _add_months(start, length) - timedelta(days=1)
    return Period(start, end, frequency, label=text, start_day=start_day)


def parse_period(text: str, start_day: str | None = None) -> Period:
    """Parse an SDMX period, a reporting period counting from ``start_day`` (``--10-01``) when given; raises
    ``InvalidParameterError`` saying which forms are accepted."""
    try:
        return _parse_period(text, start_day)
    except ValueError:  # a well-formed label of a date the calendar lacks: year 0000
        raise InvalidParameterError(
            f"Period {text!r} is not valid: its year must be 0001 or later.", value=text
        ) from None


def _parse_period(text: str, start_day: str | None) -> Period:
    value = text.strip()
    if is_reporting_period(value, start_day):
        return _reporting(value, start_day)
    for frequency, pattern in _CALENDAR:
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
        f"Period {text!r} is not valid: use YYYY (2023), YYYY-Qn (2023-Q3) or YYYY-MM (2023-07), or a reporting "
        "period (2022-A1, 2022-S1, 2022-Q1, 2022-M01) with REPORTING_YEAR_START_DAY.",
        value=text,
    )


def period_of(day: date, frequency: Frequency) -> str:
    """The SDMX calendar period label of the period of ``frequency`` that contains ``day``."""
    if frequency is Frequency.ANNUAL:
        return f"{day.year}"
    if frequency is Frequency.SEMIANNUAL:
        return f"{day.year}-S{(day.month - 1) // 6 + 1}"
    if frequency is Frequency.QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"
