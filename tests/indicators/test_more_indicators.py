"""The recognition rate of asylum decisions, dead and missing migrants by route and year (SDG 10.7.3) and the
month-on-month change of transits, each recomputed here from the raw vendored files (csv + gzip, no PIVGM
code) and read with the installed ``pivgm``."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from pivgm.platform import Platform
from tests.conftest import new_platform
from tests.executable import run_pivgm
from tests.indicators.test_derived_indicators import raw_rows

SOURCES = ["unhcr_asylum_decisions", "iom_missing_migrants", "honduras_inm"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    platform = new_platform(tmp_path_factory.mktemp("more-indicators"))
    loaded = run_pivgm(platform.settings, "load-sources", *(a for s in SOURCES for a in ("--only", s)))
    assert loaded.returncode == 0, loaded.stderr
    return platform


def query(platform: Platform, flow: str, period: str, *filters: str) -> list[dict[str, object]]:
    options = [a for f in filters for a in ("-f", f)]
    done = run_pivgm(platform.settings, "query", flow, *options, "--from", period, "--to", period, "--format", "json")
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def test_the_recognition_rate_is_unhcrs_recognised_over_substantive_decisions_of_every_origin(platform):
    """Seen red with COMPLEMENTARY left out of the divisor in the indicator file."""
    sums: dict[str, float] = defaultdict(float)
    for row in raw_rows("asylum_decisions_americas.csv.gz"):
        if row["coa_iso"] == "MEX" and row["year"] == "2023" and row["dec_pc"] == "P":
            for column in ("dec_recognized", "dec_other", "dec_rejected"):
                sums[column] += float(row[column] or 0)
    expected = 100 * sums["dec_recognized"] / (sums["dec_recognized"] + sums["dec_other"] + sums["dec_rejected"])
    (row,) = query(platform, "DF_IND_ASYLUM_RECOGNITION_RATE", "2023", "REF_AREA=MEX", "COUNT_BASIS=PS")
    assert row["OBS_VALUE"] == pytest.approx(expected, rel=1e-12)
    assert 0 < expected < 100


def test_dead_and_missing_migrants_are_summed_by_route_and_calendar_year(platform):
    """Seen red without ``annual: true`` in the indicator file (the query found monthly rows, not one a year)."""
    rows = raw_rows("mmp_2014-2025-04_iom_gdidata.csv.gz")
    on_route = [r for r in rows if r["route"] == "Central American Route" and r["m"].startswith("2022")]
    expected = sum(float(r["dead"] or 0) for r in on_route)
    (row,) = query(platform, "DF_IND_DEATHS_ROUTE_YEAR", "2022", "MIGRATION_ROUTE=CAM_ROUTE")
    assert (row["FREQ"], row["OBS_VALUE"], row["UNIT_MEASURE"]) == ("A", expected, "PS")
    assert expected == 1465  # IOM's Central American Route, 2022: the deadliest year of the series


def test_a_year_the_source_has_not_finished_is_not_summed_as_if_whole(platform):
    """The Missing Migrants file ends in April 2025: January-April 2025 summed as '2025' read as a fall from 2024.
    Seen red without the whole-years condition of ``annual`` operands (warehouse/derive.py)."""
    assert max(r["m"][:7] for r in raw_rows("mmp_2014-2025-04_iom_gdidata.csv.gz")) == "2025-04"
    assert query(platform, "DF_IND_DEATHS_ROUTE_YEAR", "2025", "MIGRATION_ROUTE=CAM_ROUTE") == []
    assert len(query(platform, "DF_IND_DEATHS_ROUTE_YEAR", "2024", "MIGRATION_ROUTE=CAM_ROUTE")) == 1


def test_the_month_on_month_change_compares_each_month_with_the_one_before(platform):
    """Seen red without ``shift: 1`` in the indicator file."""
    rows = {r["t"][:7]: float(r["n"]) for r in raw_rows("irreg_honduras_nat.csv.gz") if r["nat"] == "VEN"}
    march, february = rows["2023-03"], rows["2023-02"]
    (row,) = query(platform, "DF_IND_TRANSIT_MOM", "2023-03", "REF_AREA=HND", "CITIZENSHIP=VEN")
    assert row["OBS_VALUE"] == pytest.approx(100 * (march - february) / february, rel=1e-12)
