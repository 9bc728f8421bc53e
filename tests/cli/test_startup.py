"""`pivgm --help` starts without loading the platform: the records, the query engine and the web stack load
only when a command that needs them runs (each command imports what it uses). `pivgm flows` loads the records,
but neither the query engine, Arrow nor the standard's schema checker: the parsed standard and each release's
period range are read from the data folder's copies, made by the first command that needed them."""

from __future__ import annotations

from pathlib import Path

from pivgm.settings import Settings
from tests.executable import run_pivgm

NOT_FOR_FLOWS = ("pyarrow", "numpy", "pandas", "jsonschema", "alembic", "fastapi", "uvicorn")
HEAVY = ("sqlalchemy", "alembic", "duckdb", "pyarrow", "pandas", "fastapi", "uvicorn", "pydantic_settings")


def imported_modules(stderr: str) -> set[str]:
    """Modules named by Python's import-time report (PYTHONPROFILEIMPORTTIME)."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def imported(stderr: str) -> set[str]:
    """Top-level packages named by Python's import-time report."""
    return {name.split(".")[0] for name in imported_modules(stderr)}


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


def test_flows_reads_what_is_kept_and_loads_neither_arrow_nor_duckdb(tmp_path: Path):
    """Fails if `pivgm flows` parses and schema-checks the standard again although `pivgm init` kept a copy,
    queries release files whose period ranges an earlier run kept, or loads Arrow or the accounts' tables."""
    settings = Settings(data_dir=tmp_path)
    assert run_pivgm(settings, "init").returncode == 0
    assert (settings.cache_dir / "standard.pickle").is_file()
    listed = run_pivgm(settings, "flows")
    assert "DF_MIG_STOCK" in listed.stdout

    unpublished = run_pivgm(settings, "flows", env={"PYTHONPROFILEIMPORTTIME": "1"})
    loaded = run_pivgm(settings, "load-sources", "--only", "worldbank_population")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    first = run_pivgm(settings, "flows")  # reads the release's periods with DuckDB, and keeps them
    published = run_pivgm(settings, "flows", env={"PYTHONPROFILEIMPORTTIME": "1"})

    assert unpublished.stdout == listed.stdout  # the report on stderr changes nothing else
    assert published.stdout == first.stdout
    assert "2,990" in published.stdout  # rows of the published release
    for result in (unpublished, published):
        assert result.returncode == 0, result.stderr[-2000:]
        modules = imported(result.stderr)
        assert "sqlalchemy" in modules  # the report is there
        assert not modules & {"duckdb", *NOT_FOR_FLOWS}, sorted(modules & {"duckdb", *NOT_FOR_FLOWS})
        assert "pivgm.records.account_tables" not in imported_modules(result.stderr)  # accounts load when used


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "devoluciones_2024.csv"
VALIDATE = ("validate", str(EXAMPLE), "--flow", "DF_RETURNS", "--provider", "MX_UPM", "--lang", "en")


def test_validate_on_a_current_database_loads_neither_the_migration_tool_nor_the_workbook_reader(tmp_path: Path):
    """Fails if a command that initialises the platform imports Alembic and reads every migration although
    the records are already at the newest one, or if checking a CSV file imports the Excel library."""
    settings = Settings(data_dir=tmp_path)
    assert run_pivgm(settings, "init").returncode == 0
    result = run_pivgm(settings, *VALIDATE, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "93 rows, 0 error(s)" in result.stdout
    modules = imported(result.stderr)
    assert "sqlalchemy" in modules  # the report is there
    assert not modules & {"alembic", "openpyxl"}, sorted(modules & {"alembic", "openpyxl"})


def test_a_database_behind_the_newest_migration_is_migrated_by_the_next_command(tmp_path: Path):
    """Fails if the check for a current schema takes an older revision for the newest one."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from pivgm.records import connect
    from pivgm.records.database import MIGRATIONS_DIR, head_revision

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head_revision() == head
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    assert isinstance(previous, str)
    settings = Settings(data_dir=tmp_path)
    engine = connect(settings.records_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, previous)

    result = run_pivgm(settings, *VALIDATE)
    assert result.returncode == 0, result.stderr[-2000:]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    engine.dispose()
