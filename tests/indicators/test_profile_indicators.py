"""Country profiles show the country's latest indicator values, each linked to its explorer view; checked
against the raw vendored files over a real server, in both languages."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.indicators.test_derived_indicators import raw_rows
from tests.live import serving

SOURCES = ["undesa_stock", "worldbank_population", "wdi_remittances", "wdi_socioeconomic"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory):
    platform = new_platform(tmp_path_factory.mktemp("profile-indicators"))
    loaded = run_pivgm(platform.settings, "load-sources", *(a for s in SOURCES for a in ("--only", s)))
    assert loaded.returncode == 0, loaded.stderr
    with serving(platform.settings) as url:
        yield url


def latest_remittances_share(area: str) -> tuple[str, float]:
    """The latest year the raw WDI file gives both remittances received and GDP, and their ratio in %."""
    values: dict[tuple[str, str], float] = {}
    for row in raw_rows("wdi_wpp_indicators.csv.gz"):
        if row["geo"] == area and row["var"] in ("remin", "gdp") and row["v"] not in ("", "NA"):
            values[(row["var"], row["t"])] = float(row["v"])
    year = max(t for (var, t) in values if var == "remin" and ("gdp", t) in values)
    return year, 100 * values[("remin", year)] / values[("gdp", year)]


def test_the_profile_lists_the_latest_indicator_values_with_links_to_the_explorer(base):
    """Seen red with the profile's indicators left out of ``country_profile``."""
    year, share = latest_remittances_share("HND")
    body = httpx.get(f"{base}/country/HND", params={"format": "json"}).json()
    found = {i["dataflow"]: i for i in body["indicators"]}
    remittances = found["DF_IND_REMITTANCES_PCT_GDP"]
    assert (remittances["period"], remittances["unit"]) == (year, "PT")
    assert remittances["value"] == pytest.approx(share, rel=1e-12)
    assert remittances["explorer"] == "/explore/DF_IND_REMITTANCES_PCT_GDP?REF_AREA=HND&lang=es"
    assert "DF_IND_MIGRANTS_PCT_POP" in found and "DF_IND_ASYLUM_RECOGNITION_RATE" not in found  # not loaded
    spanish = httpx.get(f"{base}/country/HND", params={"lang": "es"}).text
    assert "Indicadores" in spanish and 'href="/explore/DF_IND_REMITTANCES_PCT_GDP?REF_AREA=HND&amp;lang=es"' in spanish
    assert f"{share:.2f}" in spanish  # es-419: a decimal point (26.07)
    english = httpx.get(f"{base}/country/HND", params={"lang": "en"}).text
    assert "Indicators" in english and "Remittances" in english
