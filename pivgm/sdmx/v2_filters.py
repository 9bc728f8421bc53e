"""SDMX REST v2 component filters: ``c[REF_AREA]=PAN,HND`` and ``c[TIME_PERIOD]=ge:2020+le:2022-06``.

``,`` separates alternatives (OR) and ``+`` joins conditions (AND). Dimensions take equality; the time
dimension takes ``ge``, ``gt``, ``le``, ``lt`` and ``eq``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pivgm.sdmx.errors import NotImplementedSdmxError, QuerySyntaxError
from pivgm.sdmx.keys import ID_PATTERN, period_bounds
from pivgm.sdmx.query import TIME_AT_OBSERVATION, Parameters

_COMPONENT = re.compile(r"^c\[([^\]]+)\]$", re.IGNORECASE)


def _time_bounds(text: str) -> tuple[date | None, date | None]:
    start: date | None = None
    end: date | None = None
    for condition in text.replace(" ", "+").split("+"):
        operator, _, value = condition.rpartition(":")
        operator = operator.lower() or "eq"
        first, last = period_bounds(value, f"c[{TIME_AT_OBSERVATION}]")
        if operator in {"ge", "eq"}:
            start = first
        if operator in {"le", "eq"}:
            end = last
        if operator == "gt":
            start = last + timedelta(days=1)
        if operator == "lt":
            end = first - timedelta(days=1)
        if operator not in {"ge", "gt", "le", "lt", "eq"}:
            raise NotImplementedSdmxError(
                f"The operator {operator!r} is not supported for {TIME_AT_OBSERVATION}; use ge, gt, le, lt, eq."
            )
    return start, end


def _codes(component: str, text: str) -> tuple[str, ...]:
    codes = []
    for alternative in text.split(","):
        operator, _, value = alternative.rpartition(":")
        if operator and operator.lower() != "eq":
            raise NotImplementedSdmxError(
                f"c[{component}]: the operator {operator!r} is not supported for dimensions; list codes."
            )
        if not ID_PATTERN.match(value):
            raise QuerySyntaxError(f"c[{component}]={text!r}: {value!r} is not a code.", parameter=component)
        codes.append(value)
    return tuple(codes)


def component_filters(
    parameters: Parameters,
) -> tuple[dict[str, tuple[str, ...]], date | None, date | None]:
    """Codes per component and the period bounds given by ``c[...]`` parameters."""
    filters: dict[str, tuple[str, ...]] = {}
    start = end = None
    for name, value in parameters.raw.items():
        match = _COMPONENT.match(name)
        if not match or not value:
            continue
        component = match.group(1)
        if component == TIME_AT_OBSERVATION:
            start, end = _time_bounds(value)
        else:
            filters[component] = _codes(component, value)
    return filters, start, end
