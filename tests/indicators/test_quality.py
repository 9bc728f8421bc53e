"""The public data-quality scorecard, over a real server: completeness, timeliness and revisions of what is
published, checked against the raw vendored files and a revision published through the review steps."""

from __future__ import annotations

import csv
import gzip
from datetime import date

import httpx
import pytest

from pivgm.ingest.mapping import Mapping
from pivgm.platform import Platform
from pivgm.sources.base import VENDORED_DIR
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.live import serving
from tests.people import ADMIN

POPULATION = Mapping(
    columns={"REF_AREA": "Pais", "TIME_PERIOD": "Anio", "OBS_VALUE": "Poblacion"},
    constants={"FREQ": "A", "UNIT_MEASURE": "PS"},
)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    platform = new_platform(tmp_path_factory.mktemp("quality"))
    sources = ["--only", "guatemala_igm_returns", "--only", "worldbank_population"]
    loaded = run_pivgm(platform.settings, "load-sources", *sources)
    assert loaded.returncode == 0, loaded.stderr
    return platform


def rows(base: str, **params: str) -> dict[tuple[str, str], dict]:
    body = httpx.get(f"{base}/api/quality", params=params).json()
    return {(r["dataflow"], r["provider"]): r for r in body["rows"]}


def test_completeness_and_timeliness_of_guatemala_returns_equal_the_raw_file(platform):
    with gzip.open(VENDORED_DIR / "irreg_guatemala.csv.gz", "rt", encoding="utf-8") as f:
        months = sorted({row["t"][:7] for row in csv.DictReader(f)})
    first, last = (date(int(m[:4]), int(m[5:]), 1) for m in (months[0], months[-1]))
    expected = (last.year - first.year) * 12 + last.month - first.month + 1
    with serving(platform.settings) as base:
        row = rows(base, country="GTM")[("DF_RETURNS", "GT_IGM")]
    assert (row["periods"], row["expected_periods"]) == (len(months), expected)
    assert row["completeness_pct"] == pytest.approx(100 * len(months) / expected)
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1).toordinal() - 1  # the month's last day
    loaded = date.fromisoformat(row["loaded_at"][:10])
    assert (row["last_period"], row["timeliness_days"]) == (months[-1], loaded.toordinal() - end)


def test_a_published_revision_shows_as_revised_observations(platform):
    text = "Pais;Anio;Poblacion\nCRI;2020;5000000\nHND;2021;10000000\n"
    outcome = submit(platform, SubmissionRequest("WB", "DF_POPULATION", "rev.csv", text.encode(), POPULATION))
    for action in ["submit", "approve-national", "approve-regional", "publish"]:
        take_step(platform, ADMIN, outcome.submission.id, action)
    with serving(platform.settings) as base:
        row = rows(base)[("DF_POPULATION", "WB")]
        page = httpx.get(f"{base}/quality", params={"lang": "es", "country": "GTM"})
    assert row["revised"] == 2
    assert row["revised_pct"] == pytest.approx(round(100 * 2 / row["observations"], 3))
    assert page.status_code == 200 and "Calidad de los datos: Guatemala" in page.text
    assert "Instituto Guatemalteco de Migración" in page.text and "Banco Mundial" not in page.text
    assert page.headers["link"].startswith("</api/quality?country=GTM>")
