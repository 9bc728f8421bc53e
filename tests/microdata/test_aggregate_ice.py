"""Real ICE removal records through a recipe (no code for those files) into a protected monthly citizenship x
sex table that the upload pipeline accepts as it is."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pivgm.settings import Settings
from tests.backends import settings_for
from tests.microdata.helpers import ICE, RECIPE, pivgm, raw_counts, raw_lines, read_submission

NAMES = {
    "MEX": "MEXICO",
    "GTM": "GUATEMALA",
    "HND": "HONDURAS",
    "SLV": "EL SALVADOR",
    "CHN": "CHINA, PEOPLES REPUBLIC OF",
}
UNCODED = {"KOREA", "USSR", "CZECHOSLOVAKIA", "YUGOSLAVIA", "SERBIA AND MONTENEGRO"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("ice")
    settings = settings_for(folder / "data")
    out, report = folder / "removals.csv", folder / "report.json"
    inputs = [arg for path in ICE for arg in ("--input", str(path))]
    result = pivgm(
        settings, "aggregate", "--flow", "DF_RETURNS", "--provider", "US_DHS", *inputs,
        "--recipe", str(RECIPE), "--out", str(out), "--report", str(report),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return settings, out, json.loads(report.read_text(encoding="utf-8"))


def test_published_cells_equal_counts_made_from_the_raw_lines(run):
    """Fails if a record is mapped to the wrong month, citizenship or sex, or a total is wrong."""
    _, out, _ = run
    counts = raw_counts()
    rows = {(r["CITIZENSHIP"], r["SEX"], r["TIME_PERIOD"]): r for r in read_submission(out)}
    for code, name in NAMES.items():
        for month in ("2012-01", "2015-03", "2019-06"):
            for sex in ("M", "F"):
                expected = counts[(name, sex, month)]
                row = rows.get((code, sex, month))
                if expected == 0:
                    assert row is None
                elif row["CONF_STATUS"] == "F":
                    assert int(row["OBS_VALUE"]) == expected, (code, sex, month)
            total = sum(counts[(name, s, month)] for s in ("M", "F", "_U"))
            if total == 0:
                assert (code, "_T", month) not in rows
            elif rows[(code, "_T", month)]["CONF_STATUS"] == "F":
                assert int(rows[(code, "_T", month)]["OBS_VALUE"]) == total
    grand = sum(n for (_, _, month), n in counts.items() if month == "2016-05") - sum(
        n for (name, _, month), n in counts.items() if month == "2016-05" and name in UNCODED
    )
    assert int(rows[("_T", "_T", "2016-05")]["OBS_VALUE"]) == grand
    assert rows[("MEX", "M", "2015-03")]["OBS_VALUE"] == str(counts[("MEXICO", "M", "2015-03")])


def test_small_cells_are_confidential_with_no_value(run):
    """Fails if primary suppression is removed: cells of 1 or 2 records would be published."""
    _, out, report = run
    counts = raw_counts()
    rows = read_submission(out)
    by_name = {code: name for code, name in NAMES.items()}
    for row in rows:
        if row["CITIZENSHIP"] in by_name and row["SEX"] in ("M", "F"):
            count = counts[(by_name[row["CITIZENSHIP"]], row["SEX"], row["TIME_PERIOD"])]
            if count < 3:
                assert (row["CONF_STATUS"], row["OBS_VALUE"]) == ("C", ""), row
        if row["CONF_STATUS"] in ("C", "D"):
            assert row["OBS_VALUE"] == ""
    statuses = Counter(row["CONF_STATUS"] for row in rows)
    assert statuses["C"] == report["protection"]["primary"]["fewer than 3 records"] > 0
    assert statuses["D"] == report["protection"]["secondary"] > 0


def test_unmappable_records_are_counted_by_reason_equal_to_their_lines(run):
    """Fails if records with an uncoded citizenship or a date after the period were dropped silently."""
    _, _, report = run
    lines = [fields for path in ICE for fields in raw_lines(path)]
    months = [(int(f[0].split("/")[2]), int(f[0].split("/")[0])) for f in lines]
    after = [f for f, month in zip(lines, months, strict=True) if not (2012, 1) <= month <= (2019, 6)]
    uncoded = [f for f in lines if f[3] in UNCODED and f not in after]
    assert report["unmapped"] == {"date-outside-period": len(after), "unknown-citizenship": len(uncoded)}
    assert report["records"] == len(lines) == 26913
    assert report["aggregated"] == len(lines) - len(after) - len(uncoded)


def test_the_submission_validates_and_loads_with_confidential_cells(run, tmp_path):
    """Fails if the upload pipeline drops confidential rows or rejects a total with a suppressed part."""
    settings, out, _ = run
    checked = pivgm(settings, "validate", str(out), "--flow", "DF_RETURNS", "--provider", "US_DHS", "--lang", "en")
    assert checked.returncode == 0, checked.stdout
    assert "0 error(s)" in checked.stdout
    loaded = pivgm(
        settings, "submit", str(out), "--flow", "DF_RETURNS", "--provider", "US_DHS",
        "--publish", "--override-reason", "Release for the test of confidential cells",
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    query = pivgm(settings, "query", "DF_RETURNS", "-f", "CITIZENSHIP=ABW", "--format", "csv", "--limit", "10")
    assert query.returncode == 0, query.stderr
    lines = query.stdout.strip().splitlines()
    assert len(lines) == 3  # header, ABW males and ABW total in 2017-08: one person, both confidential
    assert all(",,PS,0,A,C," in line for line in lines[1:])


def test_a_bad_recipe_is_refused_with_what_to_fix(run, tmp_path):
    settings, _, _ = run
    bad = tmp_path / "bad.yaml"
    bad.write_text(RECIPE.read_text(encoding="utf-8").replace("SEX: Gender", "SEXO: Gender"), encoding="utf-8")
    result = pivgm(
        settings, "aggregate", "--flow", "DF_RETURNS", "--provider", "US_DHS", "--input", str(ICE[0]),
        "--recipe", str(bad), "--out", str(tmp_path / "out.csv"),
    )  # fmt: skip
    assert result.returncode == 2
    assert "dimension SEX of DF_RETURNS has neither a field nor a constant" in result.stderr
    assert not (tmp_path / "out.csv").exists()
