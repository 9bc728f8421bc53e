"""The explorer's country filters offer the regions of the standard's hierarchies (Central America, the
Caribbean, the Regional Conference on Migration...): choosing one selects its countries that have data.
Over HTTP against a live server, following the links a reader follows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import httpx
import pytest

from pivgm.platform import Platform
from pivgm.structures import load_standard
from tests.live import serving
from tests.sdmx.conftest import load_platform

FLOW = "DF_IRREGULAR_TRANSIT"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    platform: Platform = load_platform(tmp_path_factory.mktemp("regions"), ("panama_darien", "honduras_inm"))
    with serving(platform.settings) as base:
        yield base


def region_links(page: str, dimension: str) -> dict[str, str]:
    """The region buttons of a dimension's filter: label -> link."""
    found = re.search(rf'<p class="code-groups" id="groups-{dimension}">(.*?)</p>', page, re.S)
    assert found, f"no regions offered for {dimension}"
    links = re.findall(r'<a [^>]*href="([^"]+)">([^<]+)</a>', found[1])
    return {unescape(label): unescape(href) for href, label in links}


def checked(page: str, dimension: str) -> set[str]:
    return set(re.findall(rf'<input type="checkbox" name="{dimension}" value="([^"]+)" checked>', page))


def offered(page: str, dimension: str) -> set[str]:
    return set(re.findall(rf'<input type="checkbox" name="{dimension}" value="([^"]+)"', page))


def test_choosing_the_caribbean_selects_the_caribbean_countries_with_data(site):
    """Seen red with the panel's groups left out (no regions offered)."""
    page = httpx.get(f"{site}/explore/{FLOW}", params={"lang": "en"}, timeout=60).text
    links = region_links(page, "CITIZENSHIP")
    (label,) = [label for label in links if label.startswith("Caribbean (")]
    caribbean = set(load_standard().codelists["CL_AREA"].get("CAR").members)
    with_data = offered(page, "CITIZENSHIP") & caribbean
    assert label == f"Caribbean ({len(with_data)})" and with_data
    chosen = httpx.get(site + links[label], timeout=60)
    assert chosen.status_code == 200
    assert checked(chosen.text, "CITIZENSHIP") == with_data


def test_regions_are_named_in_spanish_on_spanish_pages_and_only_when_they_have_data(site):
    page = httpx.get(f"{site}/explore/{FLOW}", params={"lang": "es"}, timeout=60).text
    labels = [label.rsplit(" (", 1)[0] for label in region_links(page, "CITIZENSHIP")]
    assert "El Caribe" in labels and "Centroamérica" in labels and "América del Sur" in labels
    areas = region_links(page, "REF_AREA")  # Honduras and Panama report
    assert "Centroamérica (2)" in areas and not any(label.startswith("El Caribe") for label in areas)
