"""The explorer's state lives in the URL: read with the dataflow's defaults, written back the same."""

from __future__ import annotations

import pytest

from pivgm.catalog.explorer_config import explorer_defaults
from pivgm.catalog.state import ExplorerState, Placement, ViewKind, parse_state
from pivgm.errors import InvalidParameterError
from pivgm.structures import load_standard

TRANSIT = load_standard().dataflow("DF_IRREGULAR_TRANSIT")
COUNTS = {
    "FREQ": {"A": 378, "M": 13232},
    "REF_AREA": {"MEX": 1, "HND": 1, "PAN": 1},
    "CITIZENSHIP": {"_T": 5, "VEN": 9, "COL": 3},
    "SEX": {"_T": 9, "F": 1, "M": 1},
    "AGE": {"_T": 9, "Y_LT18": 1},
    "ACCOMPANIMENT": {"_T": 9, "UNA": 1},
}


def read(**params: str) -> ExplorerState:
    query = {name: [value] for name, value in params.items()}
    return parse_state(TRANSIT, query, explorer_defaults(TRANSIT), COUNTS)


def test_a_bare_url_opens_the_dataflow_default_view():
    state = read()
    assert state.filters["REF_AREA"] == ("PAN",) and state.filters["FREQ"] == ("M",)
    assert state.filters["CITIZENSHIP"] == () and state.placement("CITIZENSHIP") is Placement.SUM
    assert state.filters["SEX"] == ("_T",)  # a dimension without a default starts at its total
    assert state.view is ViewKind.LINE and state.start == "2021-01" and state.map_dimension == "CITIZENSHIP"


def test_the_state_reads_back_from_its_own_url():
    state = read(
        CITIZENSHIP="VEN,COL", view="bar", series="CITIZENSHIP", rows="SEX", **{"from": "2023", "to": "2023-06"}
    )
    again = parse_state(TRANSIT, {k: [v] for k, v in state.params()}, explorer_defaults(TRANSIT), COUNTS)
    assert again == state
    assert dict(state.params())["CITIZENSHIP"] == "VEN,COL"


def test_a_star_or_every_code_means_all_codes():
    assert read(CITIZENSHIP="*").filters["CITIZENSHIP"] == ()
    assert read(FREQ="A,M").filters["FREQ"] == ()
    assert dict(read(FREQ="A+M").params())["FREQ"] == "*"


def test_the_filter_form_places_each_dimension():
    state = parse_state(
        TRANSIT,
        {"layout.SEX": ["rows"], "layout.TIME_PERIOD": ["rows"], "SEX": ["*", "F", "M"]},
        explorer_defaults(TRANSIT),
        COUNTS,
    )
    assert state.placement("SEX") is Placement.ROWS and state.placement("TIME_PERIOD") is Placement.ROWS
    assert state.filters["SEX"] == ("F", "M")


def test_the_api_query_of_a_state_names_only_chosen_codes():
    assert dict(read(CITIZENSHIP="VEN").api_params()) == {
        "FREQ": "M",
        "REF_AREA": "PAN",
        "CITIZENSHIP": "VEN",
        "SEX": "_T",
        "AGE": "_T",
        "ACCOMPANIMENT": "_T",
        "from": "2021-01",
    }


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"NOPE": "1"}, "NOPE"),
        ({"rows": "NOPE"}, "rows"),
        ({"view": "pie"}, "view"),
        ({"from": "2023-1"}, "from"),
        ({"map": "SEX_X"}, "map"),
        ({"layout.SEX": "sideways"}, "layout.SEX"),
    ],
)
def test_a_bad_parameter_is_named_in_the_error(params, parameter):
    with pytest.raises(InvalidParameterError) as error:
        read(**params)
    assert error.value.details["parameter"] == parameter
