"""Numbers, periods and dates written the way each language writes them (12,000 in es-419 and en-US; ene. 2024 /
Jan 2024), for pages, tables and chart labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pivgm.model.periods import Frequency, parse_period
from pivgm.web.i18n import format_number

MONTHS = {
    "es": ("ene.", "feb.", "mar.", "abr.", "may.", "jun.", "jul.", "ago.", "sept.", "oct.", "nov.", "dic."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
LONG_MONTHS = {
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
DAYS = {
    "es": ("domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"),
    "en": ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"),
}
QUARTER = {"es": "T", "en": "Q"}

# d3 time-format locales for vega-embed, so chart axes name months in the page's language.
TIME_LOCALES: dict[str, dict[str, Any]] = {
    language: {
        "dateTime": "%A, %e %B %Y, %X",
        "date": "%d/%m/%Y" if language == "es" else "%m/%d/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": list(DAYS[language]),
        "shortDays": [d[:3] for d in DAYS[language]],
        "months": list(LONG_MONTHS[language]),
        "shortMonths": list(MONTHS[language]),
    }
    for language in ("es", "en")
}


def period_label(period: str, language: str) -> str:
    """``2024-01`` -> ``ene. 2024`` / ``Jan 2024``; ``2024-Q2`` -> ``T2 2024`` / ``Q2 2024``; a range
    ``2023-01/2023-12`` -> ``ene. 2023–dic. 2023``."""
    if "/" in period:
        first, last = period.split("/", 1)
        return f"{period_label(first, language)}–{period_label(last, language)}"
    try:
        parsed = parse_period(period)
    except Exception:  # an unparseable label is shown as it is
        return period
    if parsed.reporting:  # a fiscal period keeps its SDMX id: 2022-A1 is never shown as calendar 2022
        return period
    if parsed.frequency is Frequency.MONTHLY:
        return f"{MONTHS.get(language, MONTHS['en'])[parsed.start.month - 1]} {parsed.start.year}"
    if parsed.frequency is Frequency.QUARTERLY:
        quarter = (parsed.start.month - 1) // 3 + 1
        return f"{QUARTER.get(language, 'Q')}{quarter} {parsed.start.year}"
    return str(parsed.start.year)


def date_label(value: date | datetime, language: str) -> str:
    """``25 nov. 2026`` / ``25 Nov 2026``."""
    return f"{value.day} {MONTHS.get(language, MONTHS['en'])[value.month - 1]} {value.year}"


def decimals_for(value: float | None) -> int:
    """Whole numbers without decimals; others with one (large) or two (small) decimals."""
    if value is None or float(value).is_integer():
        return 0
    return 1 if abs(value) >= 100 else 2


def _places(number: float, most: int = 3) -> int:
    """The decimals a published figure is given with: 0.4 -> 1, 1.25 -> 2, 37.0 -> 0."""
    return next((d for d in range(most) if round(number, d) == round(number, most)), most)


def estimate_places(value: float, moe: float) -> int:
    """The decimals of a survey estimate and its margin of error, the same for both and enough for either:
    37.0 ± 0.4 (not "37 ± 0"), 34.0 ± 1.1, 12.25 ± 0.5 -> 2."""
    return max(_places(value), _places(moe))


def number_label(value: float | None, language: str) -> str:
    return format_number(value, language, decimals_for(value))
