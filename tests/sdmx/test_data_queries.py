"""Keys and parameters select exactly what the store's own query selects (table-driven)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

import pytest

from pivgm.catalog import Catalog, DataSelection

FLOW = "DF_IRREGULAR_TRANSIT"
DIMENSIONS = ["FREQ", "REF_AREA", "CITIZENSHIP", "SEX", "AGE", "ACCOMPANIMENT"]
CSV2 = {"format": "sdmx-csv-2.0"}


def sdmx_rows(api: Any, path: str, parameters: dict[str, str]) -> list[dict[str, str]]:
    response = api.get(f"/sdmx/rest/{path}", params={**CSV2, **parameters})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def store_rows(catalog: Catalog, flow: str, filters: dict[str, list[str]], **periods: str) -> list[dict[str, Any]]:
    table = catalog.data(flow, DataSelection(filters=filters, **periods)).table
    return table.to_pylist()


def comparable(rows: list[dict[str, Any]], columns: list[str]) -> list[tuple[Any, ...]]:
    def value(row: dict[str, Any], column: str) -> Any:
        raw = row[column]
        if column == "OBS_VALUE":
            return float(raw)
        return raw if raw not in ("", None) else None

    return sorted(tuple(value(row, c) for c in columns) for row in rows)


CASES = [
    # (path below /sdmx/rest, parameters, store filters, store periods)
    (f"data/{FLOW}", {}, {}, {}),
    (f"data/{FLOW}/all", {}, {}, {}),
    (f"data/{FLOW}/M.PAN....", {}, {"FREQ": ["M"], "REF_AREA": ["PAN"]}, {}),
    (f"data/PIVGM,{FLOW}/.PAN+HND.VEN...", {}, {"REF_AREA": ["PAN", "HND"], "CITIZENSHIP": ["VEN"]}, {}),
    (f"data/PIVGM,{FLOW},1.0/..._T..", {"startPeriod": "2024-01"}, {"SEX": ["_T"]}, {"start": "2024-01"}),
    (f"data/{FLOW}/.HND.._T..", {"endPeriod": "2019"}, {"REF_AREA": ["HND"], "SEX": ["_T"]}, {"end": "2019"}),
    (
        f"data/{FLOW}/M..COL+ECU+HTI...",
        {"startPeriod": "2023-Q2", "endPeriod": "2023-Q3"},
        {"FREQ": ["M"], "CITIZENSHIP": ["COL", "ECU", "HTI"]},
        {"start": "2023-Q2", "end": "2023-Q3"},
    ),
    (f"data/{FLOW}/all/HN_INM", {}, {"REF_AREA": ["HND"]}, {}),
    (f"data/{FLOW}/all/PIVGM,PA_SNM", {"startPeriod": "2025"}, {"REF_AREA": ["PAN"]}, {"start": "2025"}),
    (
        f"v2/data/dataflow/PIVGM/{FLOW}/1.0/M.*.VEN.*.*.*",
        {"c[REF_AREA]": "PAN,HND", "c[TIME_PERIOD]": "ge:2024-06+le:2024-12"},
        {"FREQ": ["M"], "REF_AREA": ["PAN", "HND"], "CITIZENSHIP": ["VEN"]},
        {"start": "2024-06", "end": "2024-12"},
    ),
    ("data/DF_RETURNS/A+M.GTM....F+_T...", {}, {"FREQ": ["A", "M"], "REF_AREA": ["GTM"], "SEX": ["F", "_T"]}, {}),
]


@pytest.mark.parametrize(("path", "parameters", "filters", "periods"), CASES)
def test_a_data_query_returns_what_the_store_selects(api, catalog, path, parameters, filters, periods):
    flow = "DF_RETURNS" if "DF_RETURNS" in path else FLOW
    columns = list(catalog.standard.dataflow(flow).structure.column_ids)
    got = sdmx_rows(api, path, parameters)
    expected = store_rows(catalog, flow, filters, **periods)
    assert expected, "the case must select some data"
    assert comparable(got, columns) == comparable(expected, columns)


def _by_series(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    series: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        series[tuple(row[d] for d in DIMENSIONS)].append(row)
    return series


@pytest.mark.parametrize(
    ("parameter", "take"), [("firstNObservations", slice(0, 2)), ("lastNObservations", slice(-2, None))]
)
def test_first_and_last_n_observations_are_counted_per_series(api, catalog, parameter, take):
    got = sdmx_rows(api, f"data/{FLOW}/M.PAN.VEN+COL...", {parameter: "2", "startPeriod": "2023"})
    store = store_rows(catalog, FLOW, {"FREQ": ["M"], "REF_AREA": ["PAN"], "CITIZENSHIP": ["VEN", "COL"]}, start="2023")
    expected = [row for rows in _by_series(store).values() for row in rows[take]]
    assert comparable(got, [*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE"]) == comparable(
        expected, [*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE"]
    )
    assert all(len(rows) <= 2 for rows in _by_series(got).values())


def test_series_keys_only_lists_each_matching_series_once(api, catalog):
    got = sdmx_rows(api, f"data/{FLOW}/.PAN....", {"detail": "serieskeysonly"})
    assert got and set(got[0]) == {"STRUCTURE", "STRUCTURE_ID", "ACTION", *DIMENSIONS}
    expected = _by_series(store_rows(catalog, FLOW, {"REF_AREA": ["PAN"]}))
    assert sorted(tuple(r[d] for d in DIMENSIONS) for r in got) == sorted(expected)


def test_data_only_leaves_the_attributes_out_and_full_detail_carries_them(api):
    dataonly = sdmx_rows(api, f"data/{FLOW}/M.PAN.VEN...", {"detail": "dataonly"})
    full = sdmx_rows(api, f"data/{FLOW}/M.PAN.VEN...", {})
    assert "OBS_STATUS" not in dataonly[0] and "UNIT_MEASURE" not in dataonly[0]
    assert {"UNIT_MEASURE", "UNIT_MULT", "OBS_STATUS", "CONF_STATUS", "OBS_COMMENT"} <= set(full[0])
    assert {row["UNIT_MEASURE"] for row in full} == {"PS"}
    assert len(dataonly) == len(full)


def test_an_observation_dimension_other_than_time_returns_the_same_observations(api):
    by_time = sdmx_rows(api, f"data/{FLOW}/M..VEN...", {"startPeriod": "2024"})
    by_area = sdmx_rows(api, f"data/{FLOW}/M..VEN...", {"startPeriod": "2024", "dimensionAtObservation": "REF_AREA"})
    columns = [*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE"]
    assert comparable(by_time, columns) == comparable(by_area, columns)


def test_updated_after_the_release_finds_no_changes_and_before_it_returns_the_data(api, catalog):
    published = catalog.releases()[FLOW].published_at
    before = api.get(f"/sdmx/rest/data/{FLOW}/M.PAN.VEN...", params={"updatedAfter": "2000-01-01T00:00:00Z"})
    after = api.get(
        f"/sdmx/rest/data/{FLOW}/M.PAN.VEN...",
        params={"updatedAfter": published.replace(year=published.year + 1).isoformat()},
    )
    assert before.status_code == 200
    assert after.status_code == 404
    assert 'code="100"' in after.text


def test_include_history_is_accepted_and_serves_the_release_in_force(api):
    with_history = api.get(f"/sdmx/rest/data/{FLOW}/M.PAN.VEN...", params={"includeHistory": "true", **CSV2})
    without = api.get(f"/sdmx/rest/data/{FLOW}/M.PAN.VEN...", params=CSV2)
    assert with_history.status_code == 200
    assert with_history.text == without.text
