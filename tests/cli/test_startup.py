"""`pivgm --help` starts without loading the platform: the records, the query engine and the web stack load
only when a command that needs them runs (each command imports what it uses)."""

from __future__ import annotations

from pathlib import Path

from pivgm.settings import Settings
from tests.executable import run_pivgm

HEAVY = ("sqlalchemy", "alembic", "duckdb", "pyarrow", "pandas", "fastapi", "uvicorn", "pydantic_settings")


def imported(stderr: str) -> set[str]:
    """Top-level packages named by Python's import-time report (PYTHONPROFILEIMPORTTIME)."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_help_lists_every_command_without_importing_the_platform(tmp_path: Path):
    """Fails if a command module imports the records, DuckDB, Arrow or the web stack at module level."""
    result = run_pivgm(Settings(data_dir=tmp_path), "--help", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    for command in ("flows", "query", "validate", "submit", "serve", "users", "aggregate", "backup", "pull"):
        assert command in result.stdout
    modules = imported(result.stderr)
    assert "pivgm" in modules  # the report is there
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_reading_commands_open_the_records_without_loading_the_migration_tool(tmp_path: Path):
    """Fails if Alembic is imported when the records are opened rather than migrated."""
    settings = Settings(data_dir=tmp_path)
    assert run_pivgm(settings, "init").returncode == 0
    result = run_pivgm(settings, "flows", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "DF_MIG_STOCK" in result.stdout
    assert "alembic" not in imported(result.stderr)
