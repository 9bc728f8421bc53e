"""Derived indicators are published as dataflows of their own, computed from the published inputs.

Values are checked against the raw vendored files read here independently (csv + gzip, no PIVGM code), and
read the way users read them: the installed ``pivgm`` for loading and querying, a real server for ``asOf``.
"""

from __future__ import annotations

import csv
import gzip
import json
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.records.repository import utc_now
from pivgm.sources.base import VENDORED_DIR
from pivgm.web.app import create_app
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.live import serving
from tests.people import ADMIN

SOURCES = ["undesa_stock", "worldbank_population", "wdi_remittances", "wdi_socioeconomic"]
POPULATION = Mapping(
    columns={"REF_AREA": "Pais", "TIME_PERIOD": "Anio", "OBS_VALUE": "Poblacion"},
    constants={"FREQ": "A", "UNIT_MEASURE": "PS"},
)
STEPS = ["submit", "approve-national", "approve-regional", "publish"]


def raw_rows(name: str) -> list[dict[str, str]]:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def raw_population(area: str, year: str) -> float:
    rows = raw_rows("worldbank_population_SP.POP.TOTL.csv.gz")
    return next(float(r["Value"]) for r in rows if r["Country Code"] == area and r["Year"] == year)


def raw_wdi(area: str, variable: str, year: str) -> float:
    rows = raw_rows("wdi_wpp_indicators.csv.gz")
    return next(float(r["v"]) for r in rows if (r["geo"], r["var"], r["t"]) == (area, variable, year))


def raw_migrants(area: str, year: str, sexes: tuple[str, ...] = ("female", "male")) -> float:
    rows = raw_rows("ims2024_stock_by_origin_destination_sex.csv.gz")
    return sum(float(r["n"]) for r in rows if r["geo"] == area and r["t"] == year and r["sex"] in sexes)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    platform = new_platform(tmp_path_factory.mktemp("indicators"))
    loaded = run_pivgm(platform.settings, "load-sources", *(a for s in SOURCES for a in ("--only", s)))
    assert loaded.returncode == 0, loaded.stderr
    return platform


def query(platform: Platform, flow: str, area: str, period: str) -> list[dict[str, object]]:
    done = run_pivgm(
        platform.settings, "query", flow, "-f", f"REF_AREA={area}", "--from", period, "--to", period, "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def value(platform: Platform, flow: str, area: str, period: str) -> float:
    (row,) = query(platform, flow, area, period)
    return float(row["OBS_VALUE"])  # type: ignore[arg-type]


def test_migrants_as_percent_and_per_100000_of_costa_rica_2020_equal_the_raw_files(platform):
    expected = 100 * raw_migrants("CRI", "2020") / raw_population("CRI", "2020")
    assert value(platform, "DF_IND_MIGRANTS_PCT_POP", "CRI", "2020") == pytest.approx(expected, rel=1e-12)
    assert value(platform, "DF_IND_MIGRANTS_PER_100K", "CRI", "2020") == pytest.approx(1000 * expected, rel=1e-12)
    assert 10 < expected < 11  # about one person in ten in Costa Rica was born abroad


def test_share_of_women_among_migrants_equals_the_raw_file(platform):
    expected = 100 * raw_migrants("CRI", "2020", ("female",)) / raw_migrants("CRI", "2020")
    assert value(platform, "DF_IND_MIGRANTS_WOMEN_SHARE", "CRI", "2020") == pytest.approx(expected, rel=1e-12)


def test_remittances_of_honduras_2023_are_about_26_percent_of_gdp_and_842_dollars_per_inhabitant(platform):
    received = raw_wdi("HND", "remin", "2023")
    share = value(platform, "DF_IND_REMITTANCES_PCT_GDP", "HND", "2023")
    assert share == pytest.approx(100 * received / raw_wdi("HND", "gdp", "2023"), rel=1e-12)
    assert round(share) == 26
    per_person = value(platform, "DF_IND_REMITTANCES_PER_CAPITA", "HND", "2023")
    assert per_person == pytest.approx(received / raw_population("HND", "2023"), rel=1e-12)


def test_an_indicator_carries_its_inputs_notes_and_says_where_it_comes_from(platform):
    dataflow = platform.standard.dataflow("DF_IND_REMITTANCES_PCT_GDP")
    notes = dataflow.metadata.comparability.get("en")
    remittances = platform.standard.dataflow("DF_REMITTANCES").metadata.comparability.get("en")
    assert remittances in notes and "DF_SOCIOECONOMIC" in notes
    assert "DF_REMITTANCES" in dataflow.metadata.source.get("es")


def revise_population(platform: Platform, rows: str, release_at=None) -> None:
    text = "Pais;Anio;Poblacion\n" + rows
    outcome = submit(platform, SubmissionRequest("WB", "DF_POPULATION", "revision.csv", text.encode(), POPULATION))
    assert outcome.submission.status == "draft", outcome.report
    for action in STEPS:
        moment = release_at if action == "publish" else None
        take_step(platform, ADMIN, outcome.submission.id, action, release_at=moment)


def test_a_revised_input_updates_the_indicator_and_the_old_value_stays_reachable_with_as_of(platform):
    before = value(platform, "DF_IND_MIGRANTS_PCT_POP", "CRI", "2020")
    moment = utc_now()
    revise_population(platform, "CRI;2020;0\nHND;2020;10000000\n")
    (undefined,) = query(platform, "DF_IND_MIGRANTS_PCT_POP", "CRI", "2020")
    assert undefined["OBS_VALUE"] is None and undefined["OBS_STATUS"] == "M"
    assert undefined["OBS_COMMENT"] == "undefined: divisor population is zero"
    assert value(platform, "DF_IND_MIGRANTS_PCT_POP", "HND", "2020") == pytest.approx(
        100 * raw_migrants("HND", "2020") / 10_000_000, rel=1e-12
    )
    with serving(platform.settings) as base:
        old = httpx.get(
            f"{base}/api/data/DF_IND_MIGRANTS_PCT_POP",
            params={"REF_AREA": "CRI", "from": "2020", "to": "2020", "asOf": moment.isoformat()},
        ).json()
    assert [o["OBS_VALUE"] for o in old["observations"]] == [pytest.approx(before)]


def test_an_embargoed_input_reaches_the_indicator_only_at_its_release_time(platform):
    release_at = utc_now() + timedelta(days=2)
    revise_population(platform, "PAN;2020;1000000\n", release_at=release_at)
    path, params = "/api/data/DF_IND_MIGRANTS_PCT_POP", {"REF_AREA": "PAN", "from": "2020", "to": "2020"}
    published = 100 * raw_migrants("PAN", "2020") / raw_population("PAN", "2020")
    embargoed = 100 * raw_migrants("PAN", "2020") / 1_000_000
    with serving(platform.settings) as base:
        now = httpx.get(f"{base}{path}", params=params).json()["observations"]
        future = httpx.get(f"{base}{path}", params={**params, "asOf": "2099-01-01T00:00:00Z"}).json()["observations"]
    assert [o["OBS_VALUE"] for o in now] == [o["OBS_VALUE"] for o in future] == [pytest.approx(published)]
    app = create_app(platform.settings)
    app.state.platform.clock = lambda: release_at + timedelta(seconds=1)
    with TestClient(app) as client:
        later = client.get(path, params=params).json()["observations"]
    assert [o["OBS_VALUE"] for o in later] == [pytest.approx(embargoed)]


def test_an_indicator_cannot_be_submitted_only_computed(platform, tmp_path):
    table = tmp_path / "pct.csv"
    table.write_text("Pais;Anio;Valor\nHND;2023;99\n", encoding="utf-8")
    flow = "DF_IND_REMITTANCES_PCT_GDP"
    refused = run_pivgm(platform.settings, "submit", str(table), "--flow", flow, "--provider", "HN_INM")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "derived indicator" in refused.stderr and "submit the input dataflows" in refused.stderr
