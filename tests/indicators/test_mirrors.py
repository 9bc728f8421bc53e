"""Mirror statistics: returns from Mexico to Guatemala as Mexico and as Guatemala report them, checked by hand
against the raw vendored files, over a real server."""

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
    sources = ["--only", "mexico_upm_returns", "--only", "guatemala_igm_returns"]
    loaded = run_pivgm(platform.settings, "load-sources", *sources)
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
