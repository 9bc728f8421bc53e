"""Engine creation and schema migrations."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off, so that _begin_immediate decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction starts, not at its first write: several worker processes
    then queue on the busy timeout instead of failing with "database is locked" when a read-then-write
    transaction meets another writer."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def load_drivers() -> None:
    """Import the database drivers now (a process that forks jobs wants them loaded once, before forking)."""
    import sqlite3  # noqa: F401

    with contextlib.suppress(ImportError):  # psycopg comes with the postgres extra only
        import psycopg  # noqa: F401


def connect(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def head_revision() -> str:
    """The newest migration's revision: migrations are numbered files (``0005_release_cancelled.py`` is
    revision ``0005``), each revising the one before."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))


def is_current(engine: Engine) -> bool:
    """Whether the database's schema is at the newest migration (one small query; False when it has none)."""
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no schema yet
        return False
    return stored == [head_revision()]


def upgrade(engine: Engine) -> None:
    """Bring the records schema to the latest migration. Alembic loads only when the schema is behind: a
    command on a current database (the usual case) does not pay for importing it and reading every
    migration."""
    if is_current(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_initialised(engine: Engine) -> bool:
    """Whether the records schema exists in this database."""
    return inspect(engine).has_table("releases")
