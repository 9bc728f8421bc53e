"""Maps and rankings of stocks and rates show each area's latest figure: its own latest period with a value,
not the selection's last period (where most countries may have no figure yet). Over HTTP on a live server."""

from __future__ import annotations

from pivgm.structures import load_standard
from tests.web.explorer.explorer_helpers import api_observations, spec_of
from tests.web.explorer.test_explorer_maps import map_rows

FLOW = "DF_IND_REFUGEES_PER_1000"  # refugees per 1,000 inhabitants: 2025 has no population figure yet


def latest_with_a_value(live, area: str) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    """A country's latest period with a value, and that value, as the data API gives them."""
    observations = api_observations(live, FLOW, {"REF_AREA": area, "from": "2000"})
    return max((o["TIME_PERIOD"], o["OBS_VALUE"]) for o in observations if o["OBS_VALUE"] is not None)


def test_the_map_colours_every_country_by_its_own_latest_figure(live):
    """Seen red with the selection's last period taken instead: only Nicaragua (whose latest year is the one
    before the others') was coloured, the others drawn as missing."""
    page = live.get(f"/explore/{FLOW}", params={"view": "map", "lang": "en"})
    assert page.status_code == 200
    spec = spec_of(page.text)
    slider = spec["usermeta"]["slider"]
    shown = [r for r in map_rows(spec) if r["slot"] == slider["value"]]
    area_of = {c.annotations.get("iso_numeric"): c.id for c in load_standard().codelists["CL_AREA"].codes}
    assert len(shown) >= 8
    for row in shown:
        period, value = latest_with_a_value(live, area_of[row["id"]])
        assert (row["period"], row["value"]) == (period, value), row
    assert {r["period"] for r in shown} == {"2023", "2024"}
    assert slider["slots"][-1] == "Latest figure of each country (2023 – 2024)"  # says the periods differ
