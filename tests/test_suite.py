"""What the suite itself guarantees: it runs on the records backend it says it runs on (scripts/test sets
``PIVGM_TEST_BACKEND`` for each of its two runs, so a PostgreSQL run that fell back to SQLite fails here), and a
hanging test fails instead of holding CI."""

from __future__ import annotations

import os

from pivgm.platform import Platform
from tests.backends import SERVER_URL, settings_for


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
