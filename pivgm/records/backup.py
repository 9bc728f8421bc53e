"""A consistent copy of the embedded records database while the server runs (SQLite's online backup)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def snapshot_sqlite(engine: Engine, destination: Path) -> None:
    """Copy the records database page by page into ``destination``; writers may keep working meanwhile."""
    database = engine.url.database
    if not database:
        raise ValueError("the records database has no file to back up")
    source = sqlite3.connect(database)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
