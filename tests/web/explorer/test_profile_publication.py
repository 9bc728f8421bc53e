"""A country profile is computed once per publication and kept, yet a new release shows at once: what a
worker kept belongs to the releases that were in force, and a publication makes a fresh profile (within the
second workers take to see a new release: catalog/service.py, RELEASE_CACHE_SECONDS)."""

from __future__ import annotations

import time

import httpx
import pytest

from pivgm.catalog.profiles import region_countries
from pivgm.catalog.service import RELEASE_CACHE_SECONDS
from pivgm.platform import Platform
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.indicators.test_derived_indicators import revise_population
from tests.live import serving

WARM_UP_SECONDS = 10  # the region's profiles over one dataflow take about 2 s


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    platform = new_platform(tmp_path_factory.mktemp("profiles"))
    loaded = run_pivgm(platform.settings, "load-sources", "--only", "worldbank_population")
    assert loaded.returncode == 0, loaded.stderr
    return platform


def population(base: str, page: str) -> str:
    answer = httpx.get(f"{base}/country/HND", params={"lang": "en", **({"format": page} if page else {})})
    assert answer.status_code == 200
    return answer.text


def test_a_publication_shows_on_a_profile_a_worker_already_kept(platform):
    with serving(platform.settings) as base:
        for page in ("", "json"):  # the page, then its JSON twin
            assert "10,825,703" in population(base, page)  # Honduras, 2024, as the World Bank publishes it
            assert "10,825,703" in population(base, page)  # kept: the same answer
        revise_population(platform, "HND;2024;12345678\n")
        time.sleep(RELEASE_CACHE_SECONDS)  # workers re-read the releases in force at most once a second
        for page in ("", "json"):
            shown = population(base, page)
            assert "12,345,678" in shown and "10,825,703" not in shown


def first_views(base: str, codes: list[str]) -> dict[str, str]:
    """How each country's page was had (its Server-Timing): computed for this request, or kept (by whom)."""
    found = {}
    for code in codes:
        answer = httpx.get(f"{base}/country/{code}", params={"lang": "es"})
        assert answer.status_code == 200
        found[code] = answer.headers["server-timing"]
    return found


@pytest.mark.parametrize(("warm", "expected"), [("1", 'profile;desc="kept:warm-up"'), ("0", 'profile;desc="computed"')])
def test_after_a_publication_profiles_are_computed_before_anyone_asks(platform, warm, expected):
    """Every region country's first view after a publication is a page the worker computed in advance, off
    the request path; without the warm-up (PIVGM_WARM_PROFILES=0) the first view computes it."""
    codes = [c.id for c in region_countries(platform.standard.codelist("CL_AREA"))]
    with serving(platform.settings, PIVGM_WARM_PROFILES=warm) as base:
        revise_population(platform, "HND;2024;12345679\n")
        time.sleep(RELEASE_CACHE_SECONDS + WARM_UP_SECONDS)  # the workers see it, and compute the profiles
        views = first_views(base, codes)
        assert len(views) > 30 and set(views.values()) == {expected}, views
        assert "12,345,679" in population(base, "")
