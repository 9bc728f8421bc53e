"""Mirror statistics, checked by hand against the raw vendored files over a real server: returns from Mexico to
Guatemala as Mexico and as Guatemala report them, transits of a citizenship as Panama and Honduras report them,
the UN DESA stock of Mexico-born people in the United States against the ACS, and who disagrees with whom."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict

import httpx
import pytest

from pivgm.platform import Platform
from pivgm.sources.base import VENDORED_DIR
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.live import serving

RULE = "RETURNS_MEX_GTM"


def monthly(name: str, keep) -> dict[str, float]:
    """Raw rows of a vendored file kept by ``keep``, summed by month (2023-03-01 -> 2023-03)."""
    sums: dict[str, float] = defaultdict(float)
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if keep(row):
                sums[row["t"][:7]] += float(row["n"])
    return dict(sums)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory):
    platform: Platform = new_platform(tmp_path_factory.mktemp("mirrors"))
    names = ["mexico_upm_returns", "guatemala_igm_returns", "panama_darien", "honduras_inm", "mexico_upm_irregular"]
    names += ["undesa_stock", "us_census_acs"]
    loaded = run_pivgm(platform.settings, "load-sources", *(a for n in names for a in ("--only", n)))
    assert loaded.returncode == 0, loaded.stderr
    with serving(platform.settings) as url:
        yield url


def by_hand() -> tuple[dict[str, float], dict[str, float]]:
    """Mexico's returns of Guatemalans (every type) and Guatemala's returnees from Mexico (every sex and age)."""
    mexico = monthly("irreg_mexico_exp.csv.gz", lambda r: r["nat"] == "GTM")
    guatemala = monthly("irreg_guatemala.csv.gz", lambda r: r["origin"] == "MEX")
    return mexico, guatemala


def test_both_sides_the_gap_and_the_asymmetry_index_equal_a_hand_computation(base):
    mexico, guatemala = by_hand()
    body = httpx.get(f"{base}/api/mirrors/{RULE}", params={"origin": "MEX", "destination": "GTM"}).json()
    pairs = {p["period"]: p for p in body["pairs"]}
    assert set(pairs) == set(mexico) & set(guatemala)
    march = pairs["2023-03"]
    a, b = mexico["2023-03"], guatemala["2023-03"]
    assert (march["a"], march["b"]) == (a, b)
    assert march["gap_pct"] == pytest.approx(100 * (a - b) / b)
    assert march["asymmetry"] == pytest.approx((a - b) / (a + b))
    (cell,) = body["matrix"]
    both = set(mexico) & set(guatemala)
    total_a, total_b = sum(mexico[m] for m in both), sum(guatemala[m] for m in both)
    assert (cell["origin"], cell["destination"], cell["periods"]) == ("MEX", "GTM", len(both))
    assert (cell["a"], cell["b"]) == (total_a, total_b)
    assert cell["asymmetry"] == pytest.approx((total_a - total_b) / (total_a + total_b))


def test_the_page_shows_the_matrix_in_spanish_numbers_and_links_its_json_twin(base):
    response = httpx.get(f"{base}/mirrors/{RULE}", params={"lang": "es"})
    assert response.status_code == 200
    assert "Matriz regional" in response.text and "Índice de asimetría" in response.text
    mexico, guatemala = by_hand()
    total = sum(mexico[m] for m in set(mexico) & set(guatemala))
    assert f"{int(total):,}" in response.text  # es-419 thousands, as Mexico and Central America write them
    assert response.headers["link"].startswith(f"</api/mirrors/{RULE}>")
    english = httpx.get(f"{base}/mirrors/{RULE}", params={"lang": "en"}).text
    assert "Regional matrix" in english and "Asymmetry index" in english


def test_an_unknown_rule_or_area_is_a_clear_404_not_a_500(base):
    unknown = httpx.get(f"{base}/api/mirrors/NOPE")
    assert unknown.status_code == 404 and "RETURNS_MEX_GTM" in unknown.json()["error"]["message"]
    area = httpx.get(f"{base}/api/mirrors/{RULE}", params={"origin": "XYZ"})
    assert area.status_code == 404 and "CL_AREA" in area.json()["error"]["message"]


def raw(name: str) -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_transits_of_venezuelans_as_panama_and_honduras_report_them_equal_the_raw_files(base):
    """Seen red with the fixed destination (``constants``) left out of the mirror's selection."""
    darien = {r["t"][:7]: float(r["n"]) for r in raw("irreg_darien_nat.csv.gz") if r["nat"] == "VEN"}
    honduras = {r["t"][:7]: float(r["n"]) for r in raw("irreg_honduras_nat.csv.gz") if r["nat"] == "VEN"}
    body = httpx.get(f"{base}/api/mirrors/TRANSITS_PAN_HND", params={"origin": "VEN"}).json()
    pairs = {p["period"]: p for p in body["pairs"]}
    assert set(pairs) == {m for m in set(darien) & set(honduras) if m >= "2020"}  # Panama is annual to 2019
    a, b = darien["2023-03"], honduras["2023-03"]
    assert (a, b) == (20816, 9112)
    march = pairs["2023-03"]
    assert (march["a"], march["b"], march["destination"]) == (a, b, "_Z")
    assert march["gap_pct"] == pytest.approx(100 * (a - b) / b)
    assert march["asymmetry"] == pytest.approx((a - b) / (a + b))
    assert [s["dataflow"] for s in body["sides"]] == ["DF_IRREGULAR_TRANSIT", "DF_IRREGULAR_TRANSIT"]


def test_the_un_desa_stock_of_mexico_born_people_in_the_us_against_the_acs_equals_the_raw_files(base):
    """Seen red with the ACS side reading every nativity (NATIVITY: _T) instead of the foreign-born."""
    desa = sum(
        float(r["n"])
        for r in raw("ims2024_stock_by_origin_destination_sex.csv.gz")
        if (r["geo"], r["from"], r["t"]) == ("USA", "MEX", "2010") and r["sex"] in ("female", "male")
    )
    acs = next(float(r["S0201_001E"]) for r in raw("acs_s0201_2010.csv.gz") if r["POPGROUP_LABEL"] == "Mexico")
    body = httpx.get(f"{base}/api/mirrors/STOCK_UNDESA_ACS_USA", params={"origin": "MEX", "destination": "USA"}).json()
    pairs = {p["period"]: p for p in body["pairs"]}
    assert set(pairs) == {"2010", "2015"}  # the years both publish: UN DESA every five years, the ACS 2009-2018
    assert (pairs["2010"]["a"], pairs["2010"]["b"]) == (desa, acs) == (11_895_927, 11_711_103)
    assert pairs["2010"]["asymmetry"] == pytest.approx((desa - acs) / (desa + acs))


def test_who_disagrees_with_whom_lists_each_rules_reporters_and_their_mean_absolute_asymmetry(base):
    """Seen red with ``abs`` left out of the mean (gaps of opposite signs cancelled)."""
    mexico, guatemala = by_hand()
    both = sorted(set(mexico) & set(guatemala))
    expected = sum(abs(mexico[m] - guatemala[m]) / (mexico[m] + guatemala[m]) for m in both) / len(both)
    entries = {e["id"]: e for e in httpx.get(f"{base}/api/mirrors").json()["mirrors"]}
    returns = entries[RULE]
    assert returns["reporters"] == ["MX_UPM", "GT_IGM"] and returns["observations"] == len(both)
    assert returns["mean_abs_asymmetry"] == pytest.approx(expected)
    assert returns["a"] == sum(mexico[m] for m in both)
    assert entries["TRANSITS_HND_MEX"]["reporters"] == ["HN_INM", "MX_UPM"]
    spanish = httpx.get(f"{base}/mirrors", params={"lang": "es"})
    assert spanish.status_code == 200 and "Quién difiere de quién" in spanish.text
    assert f'href="/mirrors/{RULE}?lang=es">{expected:.3f}' in spanish.text
    assert "Servicio Nacional de Migración de Panamá" in spanish.text  # reporters by name, in the page's language
    english = httpx.get(f"{base}/mirrors", params={"lang": "en"}).text
    assert "Who disagrees with whom" in english and "TRANSITS_PAN_HND" in english
