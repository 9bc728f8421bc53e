"""The checks that compare rows find the same rows whatever the order of the file, and key rows exactly."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from pivgm.warehouse.checks import ROW, TableChecks

SERIES = ["AREA", "SEX"]


def table(rows: list[tuple[str, str, str, str]]) -> pa.Table:
    """AREA, SEX, TIME_PERIOD, OBS_VALUE per row; file rows numbered from 2 (under the header)."""
    area, sex, period, value = (list(column) for column in zip(*rows, strict=True))
    return pa.table(
        {"AREA": area, "SEX": sex, "TIME_PERIOD": period, "OBS_VALUE": value, ROW: list(range(2, 2 + len(rows)))}
    )


def checked(rows: list[tuple[str, str, str, str]], shuffle: int | None = None) -> TableChecks:
    data = table(rows)
    if shuffle is not None:
        order = list(range(data.num_rows))
        random.Random(shuffle).shuffle(order)
        data = data.take(order)
    checks = TableChecks(data)
    checks.parse_numbers("OBS_VALUE", ".")
    return checks


def monthly(area: str, sex: str, values: list[float], year: int = 2023) -> list[tuple[str, str, str, str]]:
    return [(area, sex, f"{year}-{m + 1:02d}", str(v)) for m, v in enumerate(values)]


def test_a_repeated_key_names_its_first_row_and_the_key():
    checks = checked([("MEX", "F", "2020", "1"), ("MEX", "M", "2020", "2"), ("MEX", "F", "2020", "3")])
    found = checks.duplicate_keys(SERIES, "TIME_PERIOD").to_pylist()
    assert found == [{ROW: 4, "first_row": 2, "key": "MEX.F.2020"}]


def test_an_annual_and_a_monthly_period_starting_together_are_different_keys():
    rows = [("MEX", "F", "2020", "1"), ("MEX", "F", "2020-01", "2"), ("MEX", "F", "2020", "3")]
    found = checked(rows).duplicate_keys(SERIES, "TIME_PERIOD").to_pylist()
    assert [(r[ROW], r["first_row"]) for r in found] == [(4, 2)]


def test_malformed_periods_repeat_a_key_when_their_text_is_the_same():
    rows = [("MEX", "F", "2020/1", "1"), ("MEX", "F", "2020/2", "2"), ("MEX", "F", "2020/1", "3")]
    found = checked(rows).duplicate_keys(SERIES, "TIME_PERIOD").to_pylist()
    assert [(r[ROW], r["key"]) for r in found] == [(4, "MEX.F.2020/1")]


def test_three_rows_with_one_key_report_the_two_later_ones():
    rows = [("GTM", "M", "2021", "5")] * 3
    found = checked(rows).duplicate_keys(SERIES, "TIME_PERIOD").to_pylist()
    assert [(r[ROW], r["first_row"]) for r in found] == [(3, 2), (4, 2)]


def test_holes_are_counted_per_series_and_frequency():
    rows = [
        *[("MEX", "F", p, "1") for p in ("2023-01", "2023-02", "2023-05")],
        *[("MEX", "M", p, "1") for p in ("2020", "2023")],
        *[("GTM", "F", p, "1") for p in ("2023-Q1", "2023-Q2")],
    ]
    found = checked(rows).missing_periods(SERIES, "TIME_PERIOD").to_pylist()
    assert [(r[ROW], r["series"], r["missing"]) for r in found] == [(2, "MEX.F", 2), (5, "MEX.M", 2)]


def test_a_tenfold_jump_is_found_against_the_previous_period_not_the_previous_row():
    rows = monthly("MEX", "F", [100, 110, 1200, 115])
    rows = [rows[2], rows[0], rows[3], rows[1]]  # file not in period order
    found = checked(rows).series_anomalies(SERIES, "TIME_PERIOD", "OBS_VALUE", None, 3.5, 10.0).to_pylist()
    jumps = [(r[ROW], r["value"], r["previous"]) for r in found if r["jump"]]
    assert jumps == [(2, 1200.0, 110.0), (4, 115.0, 1200.0)]


def test_an_outlier_has_its_modified_z_score():
    values = [100, 102, 98, 101, 99, 100, 400]
    found = checked(monthly("MEX", "F", values)).series_anomalies(SERIES, "TIME_PERIOD", "OBS_VALUE", None, 3.5, 10.0)
    outliers = [r for r in found.to_pylist() if r["outlier"]]
    assert [(r[ROW], r["n"]) for r in outliers] == [(8, 7)]
    # median 100, median absolute deviation 1: z = 0.6745 * 300 / 1
    assert outliers[0]["z"] == pytest.approx(202.35)


def test_published_history_joins_the_series_and_the_submission_replaces_its_own_periods():
    submitted = checked([("MEX", "F", "2024-01", "1000"), ("MEX", "F", "2023-12", "95")])
    history = pa.table(
        {
            "AREA": ["MEX"] * 13 + ["GTM"],
            "SEX": ["F"] * 14,
            "TIME_PERIOD": [f"2023-{m:02d}" for m in range(1, 13)] + ["2022-12", "2023-12"],
            "OBS_VALUE": [100.0] * 11 + [1e9, 100.0, 5.0],  # 2023-12 is replaced by the submitted 95
        }
    )
    found = submitted.series_anomalies(SERIES, "TIME_PERIOD", "OBS_VALUE", history, 3.5, 10.0).to_pylist()
    assert [(r[ROW], r["previous"], r["n"], r["jump"]) for r in found] == [(2, 95.0, 14, True)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_order_of_the_rows_changes_nothing(seed: int):
    rows = [
        *monthly("MEX", "F", [10, 12, 11, 300, 12, 13, 11, 12]),
        *monthly("MEX", "M", [5, 6, 60, 7]),
        *[("GTM", "F", p, "3") for p in ("2023-01", "2023-04", "2023-04")],
    ]
    ordered, shuffled = checked(rows), checked(rows, shuffle=seed)

    def found(checks: TableChecks) -> tuple[list[str], list[tuple[str, int]], list[tuple[float, float, bool, bool]]]:
        duplicates = checks.duplicate_keys(SERIES, "TIME_PERIOD").column("key").to_pylist()
        holes = checks.missing_periods(SERIES, "TIME_PERIOD").to_pylist()
        anomalies = checks.series_anomalies(SERIES, "TIME_PERIOD", "OBS_VALUE", None, 3.5, 10.0).to_pylist()
        return (
            sorted(duplicates),
            sorted((r["series"], r["missing"]) for r in holes),
            sorted((r["value"], r["previous"], r["outlier"], r["jump"]) for r in anomalies),
        )

    expected = found(ordered)
    assert expected[0] == ["GTM.F.2023-04"]
    assert expected[1] == [("GTM.F", 2)]
    assert (300.0, 11.0, True, True) in expected[2]
    assert found(shuffled) == expected


def test_keys_of_many_wide_columns_are_still_told_apart_exactly():
    # 12 columns of 60,000 distinct values each: their combinations do not fit in 64 bits
    columns = {f"D{i}": [f"v{j}" for j in range(60_000)] for i in range(12)}
    columns["D11"][-1] = columns["D11"][0]
    data = pa.table({**columns, "TIME_PERIOD": ["2020"] * 60_000, "OBS_VALUE": ["1"] * 60_000, ROW: range(60_000)})
    found = TableChecks(data).duplicate_keys([f"D{i}" for i in range(12)], "TIME_PERIOD")
    assert found.num_rows == 0
    twin = data.take([*range(60_000), 17])
    twin = twin.set_column(twin.column_names.index(ROW), ROW, pa.array(range(60_001)))
    found = TableChecks(twin).duplicate_keys([f"D{i}" for i in range(12)], "TIME_PERIOD").to_pylist()
    assert [(r[ROW], r["first_row"]) for r in found] == [(60_000, 17)]


def test_joins_and_comparisons_made_in_shares_find_the_same_revisions_and_anomalies(
    monkeypatch: pytest.MonkeyPatch,
):
    rows = [*monthly("MEX", "F", [10, 12, 11, 300, 12, 13]), *monthly("GTM", "M", [5, 6, 60, 7])]
    published = pa.table(
        {
            "AREA": ["MEX"] * 8 + ["GTM"] * 2,
            "SEX": ["F"] * 8 + ["M"] * 2,
            "TIME_PERIOD": [f"2023-{m:02d}" for m in range(1, 9)] + ["2022-12", "2023-02"],
            "OBS_VALUE": [11.0, 12.0, 11.0, 30.0, 12.0, 14.0, 12.0, 500.0, 5.0, 6.0],
        }
    )

    def found() -> tuple[list[dict[str, object]], list[dict[str, object]], int]:
        checks = checked(rows)
        anomalies = checks.series_anomalies(SERIES, "TIME_PERIOD", "OBS_VALUE", published, 3.5, 10.0).to_pylist()
        revised, count = checks.revisions([*SERIES, "TIME_PERIOD"], "OBS_VALUE", published, 2)
        return anomalies, revised.to_pylist(), count

    whole = found()
    # MEX.F revises 2023-01, 2023-04 (30 then, 300 now) and 2023-06: the first two rows are shown
    assert whole[2] == 3 and [(r["old_value"], r["new_value"]) for r in whole[1]] == [(11.0, 10.0), (30.0, 300.0)]
    # GTM.M: 4 submitted periods and 2022-12 published (its 2023-02 is replaced); MEX.F: 6 and 2023-07, 2023-08
    assert {(r["value"], r["n"]) for r in whole[0]} >= {(60.0, 5), (300.0, 8)}
    monkeypatch.setattr("pivgm.warehouse.checks.JOIN_SHARE_ROWS", 3)
    monkeypatch.setattr("pivgm.warehouse.checks.CHUNK_ROWS", 3)
    assert found() == whole


def _random_submission_and_history(seed: int) -> tuple[list[tuple[str, str, str, str]], pa.Table]:
    """A submission of some series and periods, in random order, and a history that shares some of its keys,
    has periods and series it lacks, and values it does not have at all (another country, another sex)."""
    generator = random.Random(seed)
    areas, sexes = ["MEX", "GTM", "HND", "SLV"], ["F", "M", "_T"]
    periods = [f"{year}-{month:02d}" for year in (2022, 2023) for month in range(1, 13)]
    keys = [(a, s, p) for a in areas for s in sexes for p in periods]
    submitted = generator.sample(keys, 150)
    rows = [(a, s, p, str(generator.choice([1, 2, 3, 50, 400]) * generator.randint(1, 9))) for a, s, p in submitted]
    shared = generator.sample(submitted, 60)
    others = generator.sample([k for k in keys if k not in submitted], 60)
    strangers = [("BLZ", "F", "2023-01"), ("MEX", "X", "2023-02"), ("GTM", "M", "1999-01")]
    history = [*shared, *others, *strangers]
    generator.shuffle(history)
    values = [float(generator.choice([1, 2, 3, 50, 400]) * generator.randint(1, 9)) for _ in history]
    published = pa.table(
        {
            "AREA": [a for a, _, _ in history],
            "SEX": [s for _, s, _ in history],
            "TIME_PERIOD": [p for _, _, p in history],
            "OBS_VALUE": values,
        }
    )
    return rows, published


@pytest.mark.parametrize("seed", [4, 5, 6, 7])
def test_keys_paired_by_their_place_in_a_table_match_those_paired_by_a_join(seed: int, monkeypatch: pytest.MonkeyPatch):
    rows, published = _random_submission_and_history(seed)

    def found() -> tuple[list[dict[str, object]], list[dict[str, object]], int]:
        checks = checked(rows, shuffle=seed)
        anomalies = checks.series_anomalies(SERIES, "TIME_PERIOD", "OBS_VALUE", published, 3.5, 10.0)
        revised, count = checks.revisions([*SERIES, "TIME_PERIOD"], "OBS_VALUE", published, 5)
        return anomalies.to_pylist(), revised.to_pylist(), count

    paired_by_place = found()
    assert paired_by_place[2] > 0 and paired_by_place[0]  # revisions and anomalies to compare
    monkeypatch.setattr(TableChecks, "_keys_fit_a_table", lambda *_: False)  # the join, as for a wide table
    assert found() == paired_by_place
    monkeypatch.setattr("pivgm.warehouse.checks.JOIN_SHARE_ROWS", 7)  # ...made in shares, as for a large one
    assert found() == paired_by_place
