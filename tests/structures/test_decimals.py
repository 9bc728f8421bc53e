"""DECIMALS by unit of measure: common.yaml gives each unit its decimals, a dataflow or indicator file may
override them, and a unit without decimals, or decimals for something that is not a unit, are refused at
load (seen red with the check left out: a series in that unit would carry no DECIMALS)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pivgm.errors import StructureError
from pivgm.structures import load_standard
from pivgm.structures.loader import _check_decimals


def test_counts_are_whole_rates_have_decimals_and_an_indicator_may_say_more():
    standard = load_standard()
    units = standard.codelists["CL_UNIT_MEASURE"].ids()
    for dataflow in standard.dataflows.values():
        assert set(dataflow.decimals) == units, dataflow.id
    transit = standard.dataflow("DF_IRREGULAR_TRANSIT")
    assert (transit.decimals_for("PS"), transit.decimals_for("PT"), transit.decimals_for(None)) == (0, 1, None)
    assert standard.dataflow("DF_IND_REFUGEES_PER_1000").decimals_for("PER_1000") == 2
    assert standard.dataflow("DF_SOCIOECONOMIC").decimals_for("PER_1000") == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: {u: n for u, n in d.items() if u != "PT"}, "no decimals for unit 'PT'"),
        (lambda d: {**d, "LITRES": 1}, "decimals for 'LITRES', not a code of CL_UNIT_MEASURE"),
        (lambda d: {**d, "PT": 9}, "9 decimals is not a code of CL_DECIMALS"),
    ],
)
def test_decimals_the_standard_cannot_say_are_refused(change, message):
    transit = load_standard().dataflow("DF_IRREGULAR_TRANSIT")
    with pytest.raises(StructureError, match=message):
        _check_decimals(replace(transit, decimals=change(dict(transit.decimals))))
