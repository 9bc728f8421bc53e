"""Totals are codes: every dimension whose figures add up has a total code, so a total is never entered
under a false label (a nationwide figure as one border sector, all causes as "mixed or unknown")."""

from __future__ import annotations

from pivgm.structures import load_standard

# Dimensions whose codes do not add up, so a total would mean nothing.
NOT_ADDITIVE = {
    "CL_FREQ": "frequencies are not parts of a whole",
    "CL_SOCIOECONOMIC_INDICATOR": "different indicators and units",
    "CL_MIGRANT_INDICATOR": "different indicators and units",
    "CL_COMPARISON": "estimates and their comparisons, not parts",
    "CL_COUNT_BASIS": "persons and cases count the same applications twice",
    "CL_REMITTANCE_FLOW": "inflows and outflows are not parts of a whole",
}


def test_every_additive_dimension_has_a_total_code():
    """Fails if a dimension codelist without ``_T`` is added and not declared non-additive here."""
    standard = load_standard()
    lacking = sorted(
        {
            f"{dataflow.id}.{dimension.id} ({dimension.codelist.id})"
            for dataflow in standard.dataflows.values()
            for dimension in dataflow.structure.dimensions
            if dimension.codelist is not None
            and dimension.codelist.id not in NOT_ADDITIVE
            and "_T" not in dimension.codelist
        }
    )
    assert lacking == []


def test_the_non_additive_list_names_codelists_that_exist():
    assert set(NOT_ADDITIVE) <= set(load_standard().codelists)
