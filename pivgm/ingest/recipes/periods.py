"""Period parsers a recipe can name: label -> SDMX period, one distinct label at a time.

``auto``         what ``labels.parse_period_label`` reads (2024, Ene-2024, enero de 2024, 2024-01, 2023-T1,
                 T1 2023, I trim 2024...) and full dates on the first of a month;
``day_month``    a day before or after the month name ("01 October 2024", "October 27, 2019") -> the month;
``timestamp``    a date with an optional weekday and time ("Thu, 01/01/2026 - 12:00") -> the month (or year);
``fiscal_year``  a fiscal year named by the calendar year it ends in ("2023", "FY2023", "2025 (FYTD)"), with
                 an optional month ("2023 OCT" -> 2022-10): with a month, the calendar month; without, the SDMX
                 reporting year, which SDMX names by the year it *starts* in: US FY2023 (October 2022 - September
                 2023) is ``2022-A1`` with the attribute ``REPORTING_YEAR_START_DAY`` ``--10-01``, so a
                 fiscal-year figure is never stored as calendar year 2023. A year-to-date label without a month
                 ("2025 (FYTD)") is a partial year: ``partial_years`` finds it and its rows are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pivgm.ingest.labels import _MONTHS, match_periods, parse_period_label, strip_accents

REPORTING_YEAR_START_DAY = "REPORTING_YEAR_START_DAY"

_WORDS = re.compile(r"\d+|[a-z]+")
_WEEKDAYS = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "lun", "mar", "mie", "jue", "vie", "sab", "dom", "lunes", "martes", "miercoles",
    "jueves", "viernes", "sabado", "domingo",
}  # fmt: skip
_TIMESTAMP = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")


@dataclass(frozen=True)
class PeriodFormat:
    """How to read one period column: ``format`` (see the module docstring), the order of day, month and
    year in dates (``dates``), the frequency wanted from dates (``frequency``), and the first month of a
    fiscal year (``fiscal_year_start``)."""

    format: str = "auto"
    dates: str = "dmy"
    frequency: str = "M"
    fiscal_year_start: int = 10

    @property
    def start_day(self) -> str:
        """The SDMX ``REPORTING_YEAR_START_DAY`` of the fiscal year (xs:gMonthDay)."""
        return f"--{self.fiscal_year_start:02d}-01"


def _tokens(label: str) -> list[str]:
    return _WORDS.findall(strip_accents(label).casefold())


def _day_month(label: str, _: PeriodFormat) -> str | None:
    """A month name with a day before or after it ("01 October 2024", "October 27, 2019"): the month."""
    tokens = [t for t in _tokens(label) if t not in {"de", "del", "of", "the"}]
    if sum(1 for t in tokens if t in _MONTHS) == 1:
        days = [t for t in tokens if t.isdigit() and len(t) <= 2]
        if len(days) > 1 or any(not 1 <= int(day) <= 31 for day in days):
            return None
        tokens = [t for t in tokens if t not in days]  # the day: the figure is the month's
    return parse_period_label(" ".join(tokens))


def _timestamp(label: str, spec: PeriodFormat) -> str | None:
    tokens = _tokens(label)
    if tokens and tokens[0] in _WEEKDAYS:
        label = label.split(",", 1)[-1] if "," in label else label.split(None, 1)[-1]
    match = _TIMESTAMP.search(label)
    if match is None:
        return None
    parts = dict(zip(spec.dates, (int(match[1]), int(match[2]), int(match[3])), strict=True))
    year, month, day = parts["y"], parts["m"], parts["d"]
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    if spec.frequency == "A":
        return str(year)
    if spec.frequency == "Q":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


def _fiscal_year(label: str, spec: PeriodFormat) -> str | None:
    tokens = [t for t in _tokens(label) if t not in {"fy", "fytd", "ytd", "ano", "fiscal", "year", "af"}]
    years = [t for t in tokens if len(t) == 4 and t.isdigit() and 1900 <= int(t) <= 2100]
    if len(years) != 1:
        return None
    year = int(years[0])
    months = [t for t in tokens if t in _MONTHS or (t.isdigit() and len(t) <= 2 and 1 <= int(t) <= 12)]
    if len(tokens) - 1 != len(months) or len(months) > 1:
        return None
    if not months:
        return f"{year - 1 if spec.fiscal_year_start > 1 else year}-A1"
    month = _MONTHS[months[0]] if months[0] in _MONTHS else int(months[0])
    calendar_year = year - 1 if month >= spec.fiscal_year_start else year
    return f"{calendar_year}-{month:02d}"


_YEAR_TO_DATE = {"fytd", "ytd"}


def partial_years(periods: dict[str, str]) -> list[str]:
    """The labels read as whole fiscal years that say they are only the year to date ("2025 (FYTD)"): a
    partial year's figure is not the year's total, so it is never published as one."""
    return sorted(
        label for label, period in periods.items() if period.endswith("-A1") and _YEAR_TO_DATE & set(_tokens(label))
    )


_PARSERS: dict[str, Callable[[str, PeriodFormat], str | None]] = {
    "day_month": _day_month,
    "timestamp": _timestamp,
    "fiscal_year": _fiscal_year,
}


def parse_periods(labels: list[str], spec: PeriodFormat) -> dict[str, str]:
    """Label -> SDMX period for the distinct labels of one column; unreadable labels are left out."""
    if spec.format == "auto":
        return match_periods(labels)
    parser = _PARSERS[spec.format]
    return {label: period for label in set(labels) if label.strip() and (period := parser(label, spec))}


FORMATS = ("auto", *_PARSERS)
