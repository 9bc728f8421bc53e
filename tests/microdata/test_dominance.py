"""The p% rule for magnitudes, on cells computed by hand: a cell is primary-confidential when what remains
after its two largest contributions is under p percent of the largest (here p = 10).

Records are individual remittance transfers; the table is monthly remittances by counterpart country."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.backends import SERVER_URL, settings_for
from tests.executable import run_pivgm
from tests.microdata.helpers import read_submission

HEADER = "Fecha;País;Monto\n"
TRANSFERS = [
    # January. Guatemala (two spellings, so two groups before the labels become GTM): 100, 12, 9.
    # Remainder 9 < 10% of 100: confidential. (Taking 9 as the second largest would leave 12: published.)
    ("05/01/2024", "Guatemala", 100),
    ("06/01/2024", "GUATEMALA", 12),
    ("07/01/2024", "GUATEMALA", 9),
    # Honduras: 30, 30, 2 (a tie for the largest). Remainder 2 < 3: confidential.
    ("08/01/2024", "Honduras", 30),
    ("09/01/2024", "Honduras", 30),
    ("10/01/2024", "Honduras", 2),
    # El Salvador: 20, 20, 20, 1. Remainder 21 >= 2: published.
    *[("11/01/2024", "El Salvador", v) for v in (20, 20, 20, 1)],
    # Nicaragua: 50, 40, 5. Remainder 5 is exactly 10% of 50, not under it: published.
    *[("12/01/2024", "Nicaragua", v) for v in (50, 40, 5)],
    # Costa Rica: one transfer of 7. Remainder 0 < 0.7: confidential (one contributor is always).
    ("13/01/2024", "Costa Rica", 7),
    # Total of January: 346; the two largest are 100 (Guatemala) and 50 (Nicaragua): remainder 196: published.
    # February. Guatemala 60, 1 and Honduras 40, 1: each confidential (remainder 1 and 1).
    # Total of February: 102; the two largest, 60 and 40, come from different countries: remainder 2 < 6,
    # confidential. (Taking the larger of the countries' second largest, 1, would leave 41: published.)
    ("05/02/2024", "Guatemala", 60),
    ("06/02/2024", "Guatemala", 1),
    ("07/02/2024", "Honduras", 40),
    ("08/02/2024", "Honduras", 1),
    # Not a number: left out and counted, whatever the other transfers to Guatemala in January.
    ("14/01/2024", "Guatemala", "n/d"),
]
RECIPE = """
recipe: 1
dataflow: DF_REMITTANCES
read: {delimiter: ";"}
period: {column: Fecha, dates: dmy, frequency: M}
columns: {COUNTERPART_AREA: País}
measure: {column: Monto}
constants: {FREQ: M, REF_AREA: MEX, REMITTANCE_FLOW: IN, UNIT_MEASURE: USD}
"""
RULES = "protection: 1\ndefault: {method: suppression, threshold: 1, protection_level: 1, p_percent: 10}\n"
CONFIDENTIAL = {
    ("GTM", "2024-01"),
    ("HND", "2024-01"),
    ("CRI", "2024-01"),
    ("GTM", "2024-02"),
    ("HND", "2024-02"),
    ("_T", "2024-02"),
}
PUBLISHED = {("SLV", "2024-01"): "61", ("NIC", "2024-01"): "95", ("_T", "2024-01"): "346"}
REASON = "p% rule: the second largest record estimates the largest within 10%"


def _aggregate(folder: Path, *extra: str) -> Path:
    lines = [f"{date};{country};{amount}" for date, country, amount in TRANSFERS]
    (folder / "transfers.csv").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    (folder / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    (folder / "rules.yaml").write_text(RULES, encoding="utf-8")
    result = run_pivgm(
        settings_for(folder / "data"), "aggregate", "--flow", "DF_REMITTANCES", "--provider", "MX_UPM",
        "--input", str(folder / "transfers.csv"), "--recipe", str(folder / "recipe.yaml"),
        "--protection", str(folder / "rules.yaml"), "--out", str(folder / "out.csv"),
        "--report", str(folder / "report.json"), *extra, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder / "out.csv"


@pytest.fixture(scope="module")
def aggregated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, str]], Path]:
    out = _aggregate(tmp_path_factory.mktemp("remittances"))
    return read_submission(out), out.parent / "report.json"


def test_cells_failing_the_p_percent_rule_are_primary_confidential(aggregated):
    """Fails if the second largest contribution is taken within one group only, if ties lose a contributor,
    or if the rule is removed."""
    rows, _ = aggregated
    primary = {(r["COUNTERPART_AREA"], r["TIME_PERIOD"]) for r in rows if r["CONF_STATUS"] == "C"}
    assert primary == CONFIDENTIAL
    for row in rows:
        if row["CONF_STATUS"] in ("C", "D"):
            assert row["OBS_VALUE"] == ""


def test_cells_that_pass_the_p_percent_rule_keep_their_value(aggregated):
    """Fails if a remainder of exactly p percent is treated as too small, or values are added up wrongly."""
    rows, _ = aggregated
    by_cell = {(r["COUNTERPART_AREA"], r["TIME_PERIOD"]): r for r in rows}
    for cell, value in PUBLISHED.items():
        if by_cell[cell]["CONF_STATUS"] == "F":
            assert by_cell[cell]["OBS_VALUE"] == value
        else:
            assert by_cell[cell]["CONF_STATUS"] == "D"
    assert by_cell[("_T", "2024-01")]["CONF_STATUS"] == "F"


def test_the_report_gives_the_p_percent_rule_as_the_reason(aggregated):
    _, report_path = aggregated
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["protection"]["primary"] == {REASON: len(CONFIDENTIAL)}
    assert report["unmapped"] == {"unreadable-value": 1}
    reasons = {
        (c["COUNTERPART_AREA"], c["TIME_PERIOD"]) for c in report["protection"]["protected"] if c["why"] == REASON
    }
    assert reasons == CONFIDENTIAL


@pytest.mark.skipif(bool(SERVER_URL), reason="no records involved: runs once, in the SQLite pass")
@pytest.mark.spark
@pytest.mark.slow
def test_spark_finds_the_same_two_largest_contributions(aggregated, tmp_path):
    """Fails if the ranking of contributions differs between the engines (ties, nulls, window order)."""
    _, report_path = aggregated
    spark = _aggregate(tmp_path, "--engine", "spark")
    assert spark.read_text(encoding="utf-8") == (report_path.parent / "out.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["0", "150", "ten"])
def test_a_p_percent_outside_0_to_100_is_refused(tmp_path, value):
    (tmp_path / "rules.yaml").write_text(RULES.replace("p_percent: 10", f"p_percent: {value}"), encoding="utf-8")
    (tmp_path / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    (tmp_path / "t.csv").write_text(HEADER + "05/01/2024;Guatemala;1\n", encoding="utf-8")
    result = run_pivgm(
        settings_for(tmp_path / "data"), "aggregate", "--flow", "DF_REMITTANCES", "--provider", "MX_UPM",
        "--input", str(tmp_path / "t.csv"), "--recipe", str(tmp_path / "recipe.yaml"),
        "--protection", str(tmp_path / "rules.yaml"), "--out", str(tmp_path / "out.csv"),
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "p_percent must be a percentage" in result.stderr
    assert not (tmp_path / "out.csv").exists()
