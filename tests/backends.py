"""The records database the tests run on: SQLite files by default, PostgreSQL when
``PIVGM_TEST_DATABASE_URL`` names a server (scripts/test runs the suite once on each)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from pivgm.settings import Settings

SERVER_URL = os.environ.get("PIVGM_TEST_DATABASE_URL")


def fresh_database_url() -> str | None:
    """A new, empty PostgreSQL database on the test server (None on SQLite: each data dir has its own file)."""
    if not SERVER_URL:
        return None
    name = f"pivgm_test_{uuid.uuid4().hex[:16]}"
    engine = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{SERVER_URL.rsplit('/', 1)[0]}/{name}"


def settings_for(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test platform in ``data_dir`` on the suite's database backend."""
    # publications do not compute the region's country profiles (seconds of CPU each on a busy CI) unless a
    # test asks for it (warm_profiles=True: tests/web/explorer/test_profile_publication.py)
    return Settings(data_dir=data_dir, database_url=fresh_database_url(), **{"warm_profiles": False, **overrides})


def environment_for(settings: Settings) -> dict[str, str]:
    """Environment variables that make a subprocess (CLI, server) use ``settings``."""
    env = {**os.environ, "PIVGM_DATA_DIR": str(settings.data_dir)}
    env["PIVGM_WARM_PROFILES"] = "1" if settings.warm_profiles else "0"
    env.pop("PIVGM_DATABASE_URL", None)
    if settings.database_url:
        env["PIVGM_DATABASE_URL"] = settings.database_url
    if settings.public_url:
        env["PIVGM_PUBLIC_URL"] = settings.public_url
    return env
