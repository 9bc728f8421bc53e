"""One pipeline, two engines: DuckDB and Spark (local mode) give the same table and the same protection."""

from __future__ import annotations

import pytest

from tests.backends import SERVER_URL, settings_for
from tests.microdata.helpers import RECIPE, SPECIMENS, pivgm


@pytest.mark.skipif(bool(SERVER_URL), reason="no records involved: runs once, in the SQLite pass")
@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_write_identical_submissions_and_reports(tmp_path):
    """Fails if either engine maps, counts, totals or protects a cell differently (the submissions are
    compared byte for byte, the reports field by field)."""
    settings = settings_for(tmp_path / "data")
    outputs = {}
    for engine in ("duckdb", "spark"):
        out, report = tmp_path / f"{engine}.csv", tmp_path / f"{engine}.json"
        result = pivgm(
            settings, "aggregate", "--flow", "DF_RETURNS", "--provider", "US_DHS", "--input", str(SPECIMENS / "ice"),
            "--recipe", str(RECIPE), "--out", str(out), "--report", str(report), "--engine", engine,
            timeout=900,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        outputs[engine] = (out.read_text(encoding="utf-8"), report.read_text(encoding="utf-8"))
    assert outputs["duckdb"][0] == outputs["spark"][0]
    assert outputs["duckdb"][0].count(",C\n") > 3000 and outputs["duckdb"][0].count(",D\n") > 100
    assert outputs["duckdb"][1].replace('"duckdb"', '"spark"') == outputs["spark"][1]
