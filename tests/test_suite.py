"""What the suite itself guarantees: it runs on the records backend it says it runs on (scripts/test sets
``PIVGM_TEST_BACKEND`` for each of its two runs, so a PostgreSQL run that fell back to SQLite fails here), and a
hanging test fails instead of holding CI."""

from __future__ import annotations

import os
from pathlib import Path

from pivgm.platform import Platform
from tests.backends import SERVER_URL, settings_for

ROOT = Path(__file__).resolve().parents[1]


def test_the_records_are_on_the_backend_the_run_names(tmp_path):
    """Fails if ``settings_for`` stops giving a PostgreSQL database when ``PIVGM_TEST_DATABASE_URL`` is set, or
    if scripts/test runs its PostgreSQL pass without a server URL."""
    expected = os.environ.get("PIVGM_TEST_BACKEND") or ("postgresql" if SERVER_URL else "sqlite")
    platform = Platform.initialise(settings_for(tmp_path / "data"))
    assert platform.records.engine.dialect.name == expected


def test_a_hanging_test_fails_after_the_global_timeout(pytestconfig):
    """Fails if the ``timeout`` of ``[tool.pytest.ini_options]`` is removed (pytest-timeout then never fires)."""
    assert float(pytestconfig.getini("timeout")) > 0
    assert pytestconfig.pluginmanager.hasplugin("timeout")


def test_latency_ratios_are_measured_with_no_other_test_running():
    """Fails if scripts/test runs the ``alone`` tests inside its two side-by-side lanes (where the other lane
    takes a core and the idle baseline means nothing) or forgets to run them afterwards, or if the browser
    tests, which lane one leaves out, are not run in lane two."""
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    passes = [line for line in script.splitlines() if "PIVGM_TEST_BACKEND=" in line and "pytest" in line]
    markers = [line.split(' -m "', 1)[1].split('"', 1)[0] if ' -m "' in line else "alone" for line in passes]
    assert sorted(markers) == ["alone", "browser and not alone", "not alone", "not alone and not browser"]
    assert "-m alone" in passes[-1] and script.index("-m alone") > script.index('wait "$lane_two_pid"')
    lane_two = script[script.index("lane_two() {") : script.index("lane_two_pid=$!")]
    assert "PIVGM_TEST_BACKEND=postgresql" in lane_two and '-m "browser and not alone"' in lane_two
    hostile = (ROOT / "tests" / "web" / "test_hostile_uploads.py").read_text(encoding="utf-8")
    assert "pytest.mark.alone" in hostile
