"""The public data-quality scorecard, over a real server: completeness, timeliness, revisions, disaggregations
and warnings accepted at validation of what is published, checked against the raw vendored files and a
revision published through the review steps."""

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
    sources = ["--only", "guatemala_igm_returns", "--only", "worldbank_population", "--only", "panama_darien"]
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


def raw_months(name: str, keep=lambda row: True) -> set[str]:
    with gzip.open(VENDORED_DIR / name, "rt", encoding="utf-8") as f:
        return {row["t"][:7] for row in csv.DictReader(f) if keep(row)}


def test_disaggregation_is_the_periods_broken_down_by_each_expected_dimension_against_the_periods_reported(platform):
    """Panama breaks its Darién crossings down by citizenship every month, by sex since 2021, and by age only in
    the months it counts boys and girls (men and women are then adults; otherwise all ages). Seen red with
    totals counted as breakdowns (NOT_A_BREAKDOWN without _T, _Z, _U)."""
    by_sex = raw_months("irreg_darien_dmg.csv.gz")
    by_age = raw_months("irreg_darien_dmg.csv.gz", lambda r: r["demog"] in ("boys", "girls"))
    by_citizenship = raw_months("irreg_darien_nat.csv.gz", lambda r: r["t"] >= "2020")  # annual before 2020
    months = by_sex | by_citizenship
    with serving(platform.settings) as base:
        body = httpx.get(f"{base}/api/quality", params={"country": "PAN"}).json()
        page = httpx.get(f"{base}/quality", params={"country": "PAN", "lang": "es"}).text
    assert "Nacionalidad 100 %" in page and "Sexo " in page and "CITIZENSHIP" not in page  # names, not ids
    (row,) = [r for r in body["rows"] if (r["dataflow"], r["frequency"]) == ("DF_IRREGULAR_TRANSIT", "M")]
    shares = {
        d: 100 * len(m) / len(months) for d, m in [("CITIZENSHIP", by_citizenship), ("SEX", by_sex), ("AGE", by_age)]
    }
    for dimension, found in [("CITIZENSHIP", by_citizenship), ("SEX", by_sex), ("AGE", by_age)]:
        assert row["disaggregations"][dimension] == {"periods": len(found), "pct": round(shares[dimension], 2)}
    assert row["disaggregation_pct"] == pytest.approx(sum(shares.values()) / 3, abs=0.01)
    assert 0 < shares["AGE"] < shares["SEX"] < 100
    assert row["warnings_accepted"] is None  # loaded from the vendored source, not validated as a submission


def test_a_published_revision_shows_as_revised_observations(platform):
    """Also the warnings accepted at its validation; seen red with the submission of a version never looked up."""
    text = "Pais;Anio;Poblacion\nCRI;2020;5000000\nHND;2021;10000000\n"
    outcome = submit(platform, SubmissionRequest("WB", "DF_POPULATION", "rev.csv", text.encode(), POPULATION))
    for action in ["submit", "approve-national", "approve-regional", "publish"]:
        take_step(platform, ADMIN, outcome.submission.id, action)
    with serving(platform.settings) as base:
        row = rows(base)[("DF_POPULATION", "WB")]
        page = httpx.get(f"{base}/quality", params={"lang": "es", "country": "GTM"})
    assert row["revised"] == 2
    # the warnings its validation reported, accepted by publishing it: both revised values
    assert row["warnings_accepted"] == outcome.report.warning_count > 0
    assert row["warnings_by_rule"]["revises-published-value"] == 2
    assert row["revised_pct"] == pytest.approx(round(100 * 2 / row["observations"], 3))
    assert page.status_code == 200 and "Calidad de los datos: Guatemala" in page.text
    assert "Instituto Guatemalteco de Migración" in page.text and "Banco Mundial" not in page.text
    assert page.headers["link"].startswith("</api/quality?country=GTM>")
    assert "Advertencias aceptadas" in page.text and "no validado" in page.text
    assert 'href="/quality?country=PAN&amp;lang=es"' in page.text  # a page per country
