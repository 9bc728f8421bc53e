from datetime import date

import pytest

from pivgm.errors import InvalidParameterError
from pivgm.model.periods import Frequency, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end", "frequency"),
    [
        ("2023", date(2023, 1, 1), date(2023, 12, 31), Frequency.ANNUAL),
        ("2023-Q3", date(2023, 7, 1), date(2023, 9, 30), Frequency.QUARTERLY),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), Frequency.MONTHLY),
        ("2023-12", date(2023, 12, 1), date(2023, 12, 31), Frequency.MONTHLY),
    ],
)
def test_sdmx_periods_parse_to_their_first_and_last_day(text, start, end, frequency):
    period = parse_period(text)
    assert (period.start, period.end, period.frequency) == (start, end, frequency)
    assert str(period) == text


@pytest.mark.parametrize(
    ("text", "start_day"), [("0000", None), ("0000-12", None), ("0000-Q1", None), ("0000-A1", None)]
)
def test_a_period_of_year_zero_is_refused_not_a_crash(text, start_day):
    """The calendar has no year 0: a well-formed label of it is refused like any other bad period."""
    with pytest.raises(InvalidParameterError, match="0001 or later"):
        parse_period(text, start_day)


@pytest.mark.parametrize("text", ["", "23", "2023-13", "2023-Q5", "2023/07", "julio 2023", "2023-7"])
def test_malformed_periods_are_refused_with_the_accepted_forms(text):
    with pytest.raises(InvalidParameterError, match="YYYY-MM"):
        parse_period(text)


@pytest.mark.parametrize(
    ("text", "start_day", "start", "end"),
    [
        ("2022-A1", "--10-01", date(2022, 10, 1), date(2023, 9, 30)),  # US fiscal year 2023
        ("2022-S2", "--10-01", date(2023, 4, 1), date(2023, 9, 30)),
        ("2022-Q1", "--10-01", date(2022, 10, 1), date(2022, 12, 31)),
        ("2022-M03", "--10-01", date(2022, 12, 1), date(2022, 12, 31)),
        ("2023-A1", "--07-01", date(2023, 7, 1), date(2024, 6, 30)),
        ("2023-A1", None, date(2023, 1, 1), date(2023, 12, 31)),  # SDMX's default start day
    ],
)
def test_a_reporting_period_counts_from_its_start_day_and_keeps_its_id(text, start_day, start, end):
    """SDMX names a reporting year by the year it starts in; fails if the start day is ignored."""
    period = parse_period(text, start_day)
    assert (period.start, period.end, str(period), period.reporting) == (start, end, text, True)


def test_a_quarter_is_a_calendar_quarter_without_a_start_day():
    assert not parse_period("2022-Q1").reporting
    assert parse_period("2022-Q1", "--10-01").reporting


@pytest.mark.parametrize("start_day", ["--13-01", "10-01", "--02-30"])
def test_a_malformed_start_day_is_refused(start_day):
    with pytest.raises(InvalidParameterError):
        parse_period("2022-A1", start_day)
