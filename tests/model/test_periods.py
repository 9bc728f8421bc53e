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


@pytest.mark.parametrize("text", ["", "23", "2023-13", "2023-Q5", "2023/07", "julio 2023", "2023-7"])
def test_malformed_periods_are_refused_with_the_accepted_forms(text):
    with pytest.raises(InvalidParameterError, match="YYYY-MM"):
        parse_period(text)
