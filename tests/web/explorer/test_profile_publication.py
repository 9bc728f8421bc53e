"""A country profile is computed once per publication and kept, yet a new release shows at once: what a
worker kept belongs to the releases that were in force, and a publication makes a fresh profile (within the
second workers take to see a new release: catalog/service.py, RELEASE_CACHE_SECONDS)."""

from __future__ import annotations

import time

import httpx
import pytest

from pivgm.catalog.service import RELEASE_CACHE_SECONDS
from pivgm.platform import Platform
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.indicators.test_derived_indicators import revise_population
from tests.live import serving


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
