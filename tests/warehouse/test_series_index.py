"""Rows put in series order: each row's previous value in its series is the value of the row of the period
before it, whatever order the rows come in and whichever rows can be used."""

from __future__ import annotations

import numpy as np
import pytest

from pivgm.warehouse.series_index import SeriesIndex


def _expected_previous(codes: np.ndarray, starts: np.ndarray, values: np.ndarray, usable: np.ndarray) -> list[float]:
    """Row by row: the value of the usable row of the same series with the latest earlier period."""
    found = []
    for row in range(len(codes)):
        if not usable[row]:
            found.append(np.nan)
            continue
        earlier = [
            (starts[other], values[other])
            for other in range(len(codes))
            if usable[other] and codes[other] == codes[row] and starts[other] < starts[row]
        ]
        found.append(max(earlier)[1] if earlier else np.nan)
    return found


@pytest.mark.parametrize("arranged", ["by code", "by series", "shuffled"])
@pytest.mark.parametrize("all_usable", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_previous_value_is_that_of_the_period_before_in_the_same_series(arranged: str, all_usable: bool, seed: int):
    """Rows in series order (their series in order of code, or as the file has them) stay where they are."""
    generator = np.random.default_rng(seed)
    series, periods = 4, 6
    chosen = generator.choice(1000, series, replace=False)
    chosen = np.sort(chosen) if arranged == "by code" else np.concatenate([chosen[chosen > 500], chosen[chosen <= 500]])
    codes = np.repeat(chosen.astype(np.int64), periods)
    starts = np.tile(np.arange(periods, dtype=np.int64) * 12 + 24_000, series)
    values = generator.integers(1, 100, len(codes)).astype(float)
    usable = np.ones(len(codes), bool) if all_usable else generator.random(len(codes)) > 0.3
    if arranged == "shuffled":
        order = generator.permutation(len(codes))
        codes, starts, values, usable = codes[order], starts[order], values[order], usable[order]
    expected = _expected_previous(codes, starts, values, usable)

    index = SeriesIndex.build(codes.copy(), starts, np.ones(len(codes), np.int64))
    assert (index.order is None) == (arranged != "shuffled")  # rows in series order are not reordered
    found = index.previous(values, usable)
    np.testing.assert_array_equal(found, expected)


def test_a_series_in_two_places_of_the_file_is_put_together_and_its_repeated_period_found():
    codes = np.repeat(np.array([5, 9, 5], np.int64), 6)  # series 5 again after series 9: not in series order
    starts = np.concatenate([np.arange(6), np.arange(6), np.arange(5, 11)]).astype(np.int64) + 24_000
    index = SeriesIndex.build(codes.copy(), starts, np.ones(len(codes), np.int64))
    assert index.order is not None
    repeated, first = index.repeated()
    assert repeated.tolist() == [12] and first.tolist() == [5]  # row 12 repeats row 5's series and period


def test_rows_in_series_order_with_a_repeated_period_are_left_in_place():
    codes = np.repeat(np.array([9, 5], np.int64), 6)
    starts = np.array([0, 1, 2, 2, 3, 4, 0, 1, 2, 3, 4, 5], np.int64) + 24_000
    index = SeriesIndex.build(codes.copy(), starts, np.ones(len(codes), np.int64))
    assert index.order is None
    repeated, first = index.repeated()
    assert repeated.tolist() == [3] and first.tolist() == [2]
