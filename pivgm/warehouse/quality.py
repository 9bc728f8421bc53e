"""Facts about one provider's published observations, for the data-quality scorecard (DuckDB)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pivgm.warehouse.files import period_start_sql

# Months per period of each frequency; the end of a period is its start plus that many months, minus a day.
_MONTHS = {"A": 12, "S": 6, "Q": 3, "M": 1}


@dataclass(frozen=True)
class SeriesFacts:
    """One frequency of one provider's observations."""

    frequency: str
    observations: int
    with_value: int
    flagged: int  # OBS_STATUS other than normal (A)
    periods: int  # distinct periods reported
    expected: int  # periods from the first to the last, at this frequency
    last_period: str
    last_period_end: date
    revised: int  # observations whose value changed after the provider first published them
    disaggregated: dict[str, int] = field(default_factory=dict)  # dimension -> periods broken down by it


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


NOT_A_BREAKDOWN = ("_T", "_Z", "_U")  # total, not applicable, unknown


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def series_facts(file: Path, dimensions: Sequence[str] = ()) -> list[SeriesFacts]:
    """Per frequency: counts, distinct and expected periods, the last period and its end, revisions, and for
    each of ``dimensions`` the periods in which some observation holds a code other than a total, not
    applicable or unknown."""
    connection = duckdb.connect(":memory:")
    try:
        source = f"read_parquet({_literal(str(file))})"
        columns = [row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        start = period_start_sql(columns)
        stamp = "LAST_UPDATED" if "LAST_UPDATED" in columns else "NULL::VARCHAR"
        status = "OBS_STATUS" if "OBS_STATUS" in columns else "'A'"
        present = [d for d in dimensions if d in columns]
        excluded = ", ".join(_literal(code) for code in NOT_A_BREAKDOWN)
        broken_down = "".join(
            f", count(DISTINCT TIME_PERIOD) FILTER (WHERE {_quote(d)} NOT IN ({excluded}))" for d in present
        )
        picked = "".join(f", {_quote(d)}" for d in present)
        rows = connection.execute(
            f"WITH o AS (SELECT FREQ, TIME_PERIOD, OBS_VALUE, {status} AS status, {stamp} AS stamp, "
            f"{start} AS start{picked} FROM {source}) "
            "SELECT FREQ, count(*), count(OBS_VALUE), count(*) FILTER (WHERE status <> 'A'), "
            "count(DISTINCT TIME_PERIOD), min(start), max(start), arg_max(TIME_PERIOD, start), "
            f"count(*) FILTER (WHERE stamp > (SELECT min(stamp) FROM o)){broken_down} FROM o GROUP BY FREQ "
            "ORDER BY FREQ"
        ).fetchall()
    finally:
        connection.close()
    facts = []
    for frequency, count, valued, flagged, periods, first, last, last_period, revised, *by_dimension in rows:
        step = _MONTHS.get(frequency, 12)
        months = (last.year - first.year) * 12 + last.month - first.month
        end_month = last.month - 1 + step
        end = date(last.year + end_month // 12, end_month % 12 + 1, 1)
        facts.append(
            SeriesFacts(
                frequency,
                count,
                valued,
                flagged,
                periods,
                months // step + 1,
                last_period,
                date.fromordinal(end.toordinal() - 1),
                revised,
                dict(zip(present, by_dimension, strict=True)),
            )
        )
    return facts
