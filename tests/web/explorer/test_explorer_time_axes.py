"""Time axes are honest: periods are spaced by time and a missing period is a gap, not a line drawn across
it nor a bar slot closed up. Chinese transits through the Darién since 2021 miss six months.

Seen red: without the gap rows the line's figures jump from one month with data to the next one with data;
without the bar scale's domain the bars' axis lists only the months with data.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from pivgm.model.periods import parse_period
from pivgm.web.i18n import translate
from pivgm.web.time_axes import missing_periods, period_run
from tests.web.explorer.explorer_helpers import chart_rows, spec_of

CHINESE = {"CITIZENSHIP": "CHN", "from": "2021-01", "lang": "en"}


def months_between(first: str, second: str) -> int:
    a, b = parse_period(first).start, parse_period(second).start
    return (b.year - a.year) * 12 + b.month - a.month


def test_a_line_breaks_at_each_missing_month(get_page):
    rows = sorted(chart_rows(spec_of(get_page("/explore/DF_IRREGULAR_TRANSIT", **CHINESE))), key=lambda r: r["date"])
    dates = [r["date"][:7] for r in rows]
    assert all(months_between(a, b) == 1 for a, b in pairwise(dates))  # nothing skipped
    assert sum(1 for r in rows if r["value"] is None) == 6  # the gaps: rows without a figure


def test_bars_keep_a_slot_for_each_missing_month(get_page):
    spec = spec_of(get_page("/explore/DF_IRREGULAR_TRANSIT", view="bar", **CHINESE))
    with_data = {r["period"] for r in chart_rows(spec) if r["value"] is not None}
    domain = spec["encoding"]["x"]["scale"]["domain"]
    assert len(domain) == len(with_data) + 6 and domain[0] == "Mar 2021"  # the first month with data


def test_a_run_of_periods_has_every_period_of_its_frequency():
    assert period_run(["2021", "2024", "2022"]) == ["2021", "2022", "2023", "2024"]
    assert period_run(["2023-11", "2024-02"]) == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert period_run(["2023-Q4", "2024-Q2"]) == ["2023-Q4", "2024-Q1", "2024-Q2"]
    assert period_run(["2023", "2023-06"]) == ["2023", "2023-06"]  # frequencies mixed: as given
    assert missing_periods(["2021", "2024"], period_run(["2020", "2021", "2024", "2025"])) == ["2022", "2023"]


def test_a_regular_but_sparse_series_has_no_gaps():
    """Five-yearly figures are a rhythm, not missing years; an irregular or two-point series keeps its gaps."""
    years = ["1990", "1995", "2000", "2005", "2010", "2015", "2020", "2024"]
    assert missing_periods(years, period_run(years)) == []
    assert missing_periods(["2010", "2012", "2018"], period_run(["2010", "2018"]))[0] == "2011"


@pytest.mark.parametrize("language", ["es", "en"])
def test_changes_with_one_outlying_rise_are_drawn_on_a_symmetric_log_scale(get_page, language):
    """Year-on-year change in transits: one 89,700 % rise (Panama, April 2022) flattened every other change;
    counts keep a linear axis."""
    spec = spec_of(get_page("/explore/DF_IND_TRANSIT_YOY", lang=language))
    y = spec["layer"][0]["encoding"]["y"]
    assert y["scale"] == {"type": "symlog"} and translate("axis_symlog", language) in y["title"]
    counts = spec_of(get_page("/explore/DF_IRREGULAR_TRANSIT", lang=language))
    assert "scale" not in counts["layer"][0]["encoding"]["y"]
