"""SDMX key and period syntax: ``M.PAN+HND..`` against a data structure, and ``startPeriod`` values.

A key has one position per dimension, in DSD order, separated by dots; ``+`` separates alternative codes
and an empty position (or ``*``) selects every code. ``all`` (or an empty key) selects everything.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from pivgm.model import DataStructure
from pivgm.sdmx.errors import NoResultsError, QuerySyntaxError

ID_PATTERN = re.compile(r"^[A-Za-z0-9_@$\-]+$")
WILDCARDS = {"", "*"}


def parse_key(key: str | None, structure: DataStructure) -> dict[str, list[str]]:
    """Codes per dimension selected by ``key`` (dimensions left out select all codes).

    Raises ``QuerySyntaxError`` for a wrong number of positions or a malformed code, and
    ``NoResultsError`` for a position none of whose codes is in the dimension's codelist (no data can match
    it); codes that are not in the codelist beside ones that are (``USA+ZZZ``) select nothing more.
    """
    text = (key or "").strip()
    if text.lower() in {"all", "*", ""}:
        return {}
    positions = text.split(".")
    dimensions = structure.dimensions
    if len(positions) != len(dimensions):
        example = ".".join(d.id for d in dimensions)
        raise QuerySyntaxError(
            f"The key {text!r} has {len(positions)} position(s) but {structure.id} has "
            f"{len(dimensions)} dimensions: write one position per dimension ({example}), separated by "
            "dots; an empty position selects all the codes of its dimension.",
            parameter="key",
            value=text,
        )
    filters: dict[str, list[str]] = {}
    for dimension, position in zip(dimensions, positions, strict=True):
        if position.strip() in WILDCARDS:
            continue
        codes = [code.strip() for code in position.split("+")]
        for code in codes:
            if not ID_PATTERN.match(code):
                raise QuerySyntaxError(
                    f"{code!r} in the key position of {dimension.id} is not an SDMX code: codes use letters, "
                    "digits and _ @ $ -, and + separates alternatives.",
                    parameter="key",
                    value=position,
                )
        known = [c for c in codes if dimension.codelist is None or c in dimension.codelist]
        if not known:  # an alternative that is no code matches nothing, but the others still match
            raise NoResultsError(
                f"{codes[0]!r} is not a code of {dimension.codelist.id if dimension.codelist else ''}, the "
                f"codelist of {dimension.id}, so no data match the key {text!r}.",
                parameter="key",
                value=codes[0],
            )
        filters[dimension.id] = list(dict.fromkeys(known))
    return filters


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, first: int, count: int) -> tuple[date, date]:
    return date(year, first, 1), _month_end(year, first + count - 1)


def _week(year: int, week: int) -> tuple[date, date]:
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def _day(text: str) -> tuple[date, date]:
    day = date.fromisoformat(text)
    return day, day


def _moment(text: str) -> tuple[date, date]:
    day = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    return day, day


Bounds = Callable[[re.Match[str]], tuple[date, date]]

_PERIODS: tuple[tuple[re.Pattern[str], Bounds], ...] = (
    (re.compile(r"^(\d{4})(?:-A1)?$"), lambda m: _months(int(m[1]), 1, 12)),
    (re.compile(r"^(\d{4})-S([12])$"), lambda m: _months(int(m[1]), (int(m[2]) - 1) * 6 + 1, 6)),
    (re.compile(r"^(\d{4})-Q([1-4])$"), lambda m: _months(int(m[1]), (int(m[2]) - 1) * 3 + 1, 3)),
    (re.compile(r"^(\d{4})-M?(0[1-9]|1[0-2])$"), lambda m: _months(int(m[1]), int(m[2]), 1)),
    (re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$"), lambda m: _week(int(m[1]), int(m[2]))),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), lambda m: _day(m[0])),
    (re.compile(r"^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$"), lambda m: _moment(m[0])),
)


def period_bounds(text: str, parameter: str) -> tuple[date, date]:
    """First and last day of an SDMX period or date: ``2023``, ``2023-S1``, ``2023-Q3``, ``2023-07``,
    ``2023-W05``, ``2023-07-15`` or a date-time."""
    value = text.strip().replace(" ", "+")
    for pattern, bounds in _PERIODS:
        match = pattern.match(value)
        if match:
            try:
                return bounds(match)
            except ValueError:
                break
    raise QuerySyntaxError(
        f"{parameter}={text!r} is not a period: use 2023, 2023-S1, 2023-Q3, 2023-07, 2023-W05, "
        "2023-07-15 or a date-time.",
        parameter=parameter,
        value=text,
    )


def parse_moment(text: str, parameter: str) -> datetime:
    """An ``xs:dateTime`` (``updatedAfter``); without an offset it is taken as UTC. A ``+`` that arrived
    unencoded (as a space) is put back."""
    value = text.strip().replace(" ", "+").replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise QuerySyntaxError(
            f"{parameter}={text!r} is not a date-time: use e.g. 2024-05-15T14:15:00Z (percent-encode + as %2B).",
            parameter=parameter,
            value=text,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
