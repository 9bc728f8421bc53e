"""Honest time axes: every period of a frequency between the first and the last, so that a chart spaces
periods by time and shows a missing period as a gap (no bar, a break in the line) instead of closing it up."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from pivgm.model.periods import Frequency, parse_period, period_of

STEP_MONTHS = {Frequency.ANNUAL: 12, Frequency.SEMIANNUAL: 6, Frequency.QUARTERLY: 3, Frequency.MONTHLY: 1}
LONGEST_RUN = 2000  # periods; beyond that an axis is drawn from the periods with data alone


def period_run(periods: Sequence[str]) -> list[str]:
    """Every calendar period from the first of ``periods`` to the last, when they share one frequency;
    otherwise (reporting periods, frequencies mixed) the periods as given, in time order."""
    parsed = [parse_period(p) for p in periods]
    ordered = [str(p) for p in sorted(parsed)]
    frequencies = {p.frequency for p in parsed}
    if not parsed or len(frequencies) != 1 or any(p.reporting for p in parsed):
        return ordered
    frequency = frequencies.pop()
    step = STEP_MONTHS[frequency]
    first, last = min(parsed).start, max(parsed).start
    count = ((last.year - first.year) * 12 + last.month - first.month) // step + 1
    if count > LONGEST_RUN:
        return ordered
    run = []
    for index in range(count):
        months = first.year * 12 + first.month - 1 + index * step
        run.append(period_of(date(months // 12, months % 12 + 1, 1), frequency))
    return run


def missing_periods(present: Sequence[str], run: Sequence[str]) -> list[str]:
    """The periods of ``run`` within the span of ``present`` that have no figure: a series' gaps. A regular
    but sparse series (UN DESA's stock: 1990, 1995, … 2020, 2024) has none: the periods between its figures
    are its rhythm, not missing figures, so its line joins its points."""
    if not present:
        return []
    have = set(present)
    positions = [i for i, p in enumerate(run) if p in have]
    if not positions:
        return []
    steps = [b - a for a, b in itertools.pairwise(positions)]
    if len(steps) >= 2 and min(steps) > 1 and max(steps) < 2 * min(steps):  # a rhythm needs three points
        return []
    return [p for p in run[positions[0] : positions[-1] + 1] if p not in have]
