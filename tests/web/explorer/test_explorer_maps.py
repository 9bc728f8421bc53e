"""The explorer's maps, read from the specification a page embeds: classes named by their limits in the
page's number locale, an extent fitted to the places with data, one set of figures per period for the
slider (equal to the API's), clustered incident points, and an atlas addressed by its content hash."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from pivgm.web.map_charts import BLUES
from pivgm.web.map_classes import class_count, map_classes
from tests.web.explorer.explorer_helpers import api_observations, spec_of
from tests.web.explorer.test_explorer_defaults import tabs

ES_419 = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?( – -?\d{1,3}(,\d{3})*(\.\d+)?)?$")
ES_ES = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?( – -?\d{1,3}(\.\d{3})*(,\d+)?)?$")
VENEZUELA = "862"


def map_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return next(t for t in spec["layer"][0]["transform"] if "lookup" in t)["from"]["data"]["values"]


def limits(name: str, thousands: str, decimal: str) -> tuple[float, float]:
    low, _, high = name.partition(" – ")
    number = [float(n.replace(thousands, "").replace(decimal, ".")) for n in (low, high or low)]
    return number[0], number[1]


@pytest.mark.parametrize(
    ("params", "pattern", "thousands", "decimal"),
    [
        ({"lang": "es"}, ES_419, ",", "."),
        ({"lang": "en"}, ES_419, ",", "."),
        ({"lang": "es", "locale": "es-ES"}, ES_ES, ".", ","),
    ],
)
def test_the_legend_names_each_class_by_its_limits_in_the_page_locale(get_page, params, pattern, thousands, decimal):
    """Fails if the legend says "Value" with no numbers again, or writes es-419 numbers the Spanish way (seen
    red with the class names replaced by "Valor")."""
    spec = spec_of(get_page("/explore/DF_IRREGULAR_TRANSIT", view="map", **params))
    names = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert 2 <= len(names) <= 5 and all(pattern.match(n) for n in names), names
    bounds = [limits(n, thousands, decimal) for n in names]
    assert all(a[1] < b[0] for a, b in itertools.pairwise(bounds))  # classes follow each other
    for row in map_rows(spec):
        low, high = bounds[names.index(row["band"])]
        assert low <= row["value"] <= high or (row["value"] - high) < 1, row


@pytest.mark.parametrize(("values", "most"), [([5, 10, 20, 40, 80], 3), ([7], 1), ([3, 9], 2), (list(range(100)), 5)])
def test_a_few_values_make_a_few_classes_and_no_class_is_empty(values, most):
    """Five figures make three classes, not five classes of one (seen red with one class per value)."""
    classes = map_classes(values, "en")
    assert len(classes) == class_count(values) <= most
    for found in classes:
        assert any(found.low <= v <= found.high for v in values), found


def test_the_map_is_fitted_to_the_places_with_data_not_to_the_world(get_page):
    """Seen red with the projection's ``fit`` removed (the world extent)."""
    spec = spec_of(get_page("/explore/DF_POPULATION", view="map", lang="en"))  # Mexico and three neighbours
    corners = spec["projection"]["fit"]["geometry"]["coordinates"]
    longitudes, latitudes = [c[0] for c in corners], [c[1] for c in corners]
    assert min(longitudes) > -120 and max(longitudes) < -80
    assert min(latitudes) > 10 and max(latitudes) < 35
    assert all(layer["mark"].get("clip") for layer in spec["layer"])  # nothing drawn outside the frame


def test_the_slider_has_one_set_of_figures_per_period_equal_to_the_api(client, get_page):
    """Each slot of the map is a period of the selection; its figures are the API's for that period (seen
    red without the rows per period)."""
    spec = spec_of(
        get_page("/explore/DF_IRREGULAR_TRANSIT", view="map", lang="en", **{"from": "2023-01", "to": "2023-12"})
    )
    slider = spec["usermeta"]["slider"]
    assert slider["slots"][:2] == ["Jan 2023", "Feb 2023"] and len(slider["slots"]) == 13
    assert slider["slots"][-1] == "Jan 2023 – Dec 2023" and slider["value"] == 12  # opens on the whole range
    assert spec["params"] == [{"name": "slot", "value": 12}]
    venezuela = {r["slot"]: r["value"] for r in map_rows(spec) if r["id"] == VENEZUELA}
    api = api_observations(
        client,
        "DF_IRREGULAR_TRANSIT",
        {"FREQ": "M", "REF_AREA": "PAN", "CITIZENSHIP": "VEN", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T"}
        | {"from": "2023-01", "to": "2023-12"},
    )
    assert [venezuela[i] for i in range(12)] == [o["OBS_VALUE"] for o in api]
    assert venezuela[12] == sum(o["OBS_VALUE"] for o in api)


def test_located_incidents_are_drawn_as_clustered_points(client, get_page):
    """The incidents' circles add up to the located observations of the selection, fewer circles than
    incidents (clusters), and the extent takes them in (seen red without the call that adds them)."""
    params = {"from": "2024-01", "to": "2024-12"}
    spec = spec_of(get_page("/explore/DF_MISSING_MIGRANTS_INCIDENTS", view="map", lang="en", **params))
    circles = [layer for layer in spec["layer"] if layer["mark"].get("color") == "#b3261e"]
    assert len(circles) == 1
    whole = [r for r in circles[0]["data"]["values"] if r["slot"] == spec["usermeta"]["slider"]["value"]]
    observations = api_observations(client, "DF_MISSING_MIGRANTS_INCIDENTS", params)
    located = [o for o in observations if o.get("LATITUDE") not in (None, "")]
    assert located and sum(r["count"] for r in whole) == len(located) > len(whole)
    assert sum(r["value"] for r in whole) == pytest.approx(sum(o["OBS_VALUE"] for o in located))
    fitted = {tuple(c) for c in spec["projection"]["fit"]["geometry"]["coordinates"]}
    assert {(r["longitude"], r["latitude"]) for r in whole} <= fitted


def test_the_atlas_is_addressed_by_its_content_hash_and_kept_for_a_year(client, get_page):
    """Seen red with the atlas linked by its bare address."""
    spec = spec_of(get_page("/explore/DF_POPULATION", view="map", lang="en"))
    address = spec["layer"][0]["data"]["url"]
    assert re.fullmatch(r"/static/vendor/atlas\.json\?v=[0-9a-f]{16}", address)
    response = client.get(address, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_map_of_signed_changes_parts_falls_from_rises_at_zero_in_two_colours(get_page, language):
    """Year-on-year change in transits: no class holds both falls and rises (seen red: "-100 – 1,300" in
    one shade of blue), and falls are drawn in another colour than rises."""
    spec = spec_of(get_page(tabs(get_page("/explore/DF_IND_TRANSIT_YOY", lang=language))["map"]))
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    bounds = [limits(n, ",", ".") for n in scale["domain"]]
    assert bounds[0][0] < 0 < bounds[-1][1]  # the data hold both
    assert not any(low < 0 < high for low, high in bounds), scale["domain"]
    falls = {colour for (low, _), colour in zip(bounds, scale["range"], strict=True) if low < 0}
    rises = {colour for (low, _), colour in zip(bounds, scale["range"], strict=True) if low >= 0}
    assert falls and rises and not falls & rises
    assert not set(scale["range"][: len(falls)]) & set(BLUES)


def test_classes_of_signed_values_meet_at_zero():
    names = [c.name for c in map_classes([-80, -40, -10, -2, 0, 5, 30, 300, 1300], "en")]
    assert names[0].startswith("-80") and any(n.startswith("0") for n in names), names
