"""Grids add up the dimensions a view does not split; cross-tables give totals only where adding up means
something."""

from __future__ import annotations

import pyarrow as pa

from pivgm.catalog.crosstab import build_crosstab
from pivgm.catalog.grid import build_grid


def observations(rows: list[tuple[str, str, str, float, str]]) -> pa.Table:
    """Rows of (SEX, AGE, TIME_PERIOD, OBS_VALUE, UNIT_MEASURE)."""
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            "SEX": list(columns[0]),
            "AGE": list(columns[1]),
            "TIME_PERIOD": list(columns[2]),
            "OBS_VALUE": list(columns[3]),
            "UNIT_MEASURE": list(columns[4]),
            "UNIT_MULT": ["0"] * len(rows),
            "OBS_STATUS": ["E" if v == 7 else "A" for v in columns[3]],
            "CONF_STATUS": ["F"] * len(rows),
            "OBS_COMMENT": [None] * len(rows),
        }
    )


TABLE = observations(
    [
        ("F", "Y_LT18", "2023", 1, "PS"),
        ("F", "Y_GE18", "2023", 2, "PS"),
        ("M", "Y_LT18", "2023", 3, "PS"),
        ("M", "Y_GE18", "2023", 7, "PS"),
        ("F", "Y_LT18", "2024", 10, "PS"),
        ("M", "Y_LT18", "2024", 30, "PS"),
    ]
)


def test_a_grid_adds_up_the_dimensions_it_does_not_split_and_keeps_their_flags():
    grid = build_grid(TABLE, ["SEX"], ["SEX", "AGE"], {})
    assert grid.summed == ("AGE",)
    male_2023 = grid.cells[(("M",), "2023")]
    assert male_2023.value == 10 and male_2023.observations == 2 and male_2023.statuses == ("E",)
    assert grid.periods == ("2023", "2024")


def test_values_in_different_units_are_never_added_up():
    mixed = observations([("F", "_T", "2023", 1, "PS"), ("M", "_T", "2023", 2, "EVENTS")])
    grid = build_grid(mixed, [], ["SEX", "AGE"], {})
    assert grid.dimensions == ("UNIT_MEASURE",)
    assert {k: c.value for (k, _), c in grid.cells.items()} == {("PS",): 1, ("EVENTS",): 2}


def test_adding_a_total_to_its_own_parts_is_detected():
    doubled = observations([("_T", "_T", "2023", 3, "PS"), ("F", "_T", "2023", 1, "PS"), ("M", "_T", "2023", 2, "PS")])
    assert build_grid(doubled, [], ["SEX", "AGE"], {}).double_counted == ("SEX",)
    separate = observations([("_T", "_T", "2023", 3, "PS"), ("F", "_T", "2024", 1, "PS")])
    assert build_grid(separate, [], ["SEX", "AGE"], {}).double_counted == ()


def test_flows_get_totals_across_periods_and_stocks_do_not():
    grid = build_grid(TABLE, ["SEX"], ["SEX", "AGE"], {})
    flows = build_crosstab(grid, ["SEX"], ["TIME_PERIOD"], time_additive=True)
    assert flows.row_totals is not None and flows.row_totals[("M",)].value == 40
    assert flows.column_totals is not None and flows.column_totals[("2023",)].value == 13
    assert flows.grand_total is not None and flows.grand_total.value == 53
    stocks = build_crosstab(grid, ["SEX"], ["TIME_PERIOD"], time_additive=False)
    assert stocks.row_totals is None and stocks.column_totals is not None and stocks.grand_total is None


def test_no_total_is_added_over_codes_that_include_the_total():
    with_total = observations([("_T", "_T", "2023", 3, "PS"), ("F", "_T", "2023", 1, "PS")])
    table = build_crosstab(build_grid(with_total, ["SEX"], ["SEX", "AGE"], {}), ["SEX"], ["TIME_PERIOD"], True)
    assert table.column_totals is None and table.row_totals is not None
