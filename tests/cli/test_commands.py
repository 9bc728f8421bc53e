"""The command line, run as a user runs it: the installed ``pivgm`` executable in a real process, configured
by environment, judged by its exit code, stdout and stderr."""

from __future__ import annotations

import csv
import io
import socket
from pathlib import Path

import pytest

from pivgm.platform import Platform
from pivgm.settings import Settings
from tests.backends import settings_for
from tests.executable import run_pivgm as pivgm

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VALID = EXAMPLES / "devoluciones_2024.csv"
WITH_ERRORS = EXAMPLES / "devoluciones_2024_con_errores.csv"


@pytest.fixture(scope="module")
def loaded_dir(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = settings_for(tmp_path_factory.mktemp("cli"))
    result = pivgm(settings, "load-sources", "--only", "panama_darien", "--only", "worldbank_population")
    assert result.returncode == 0, result.stderr
    assert "panama_darien" in result.stdout and "worldbank_population" in result.stdout
    return settings


def test_init_creates_the_records_and_registers_the_dataflows(tmp_path):
    settings = settings_for(tmp_path / "data")
    result = pivgm(settings, "init")
    assert result.returncode == 0, result.stderr
    assert "dataflows" in result.stdout
    assert Platform.open(settings).records.registered_dataflows()


def test_flows_lists_published_and_unpublished_dataflows(loaded_dir):
    result = pivgm(loaded_dir, "flows")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("DF_")}
    assert "2,990" in lines["DF_POPULATION"]
    assert lines["DF_MIG_STOCK"].split()[-2:] == ["-", "-"]


def test_tables_keep_every_id_whole_in_80_columns(loaded_dir):
    """Columns that do not fit are left out and named on stderr, never cut; ``--wide`` shows them all.
    Fails if ``print_whole`` stops widening a table past the terminal (rich then cuts the last column)."""
    flows = pivgm(loaded_dir, "flows", columns=80)
    query = pivgm(loaded_dir, "query", "DF_IRREGULAR_TRANSIT", "--limit", "3", columns=80)
    assert flows.returncode == query.returncode == 0
    assert "DF_MISSING_MIGRANTS_INCIDENTS" in flows.stdout
    assert "…" not in flows.stdout + query.stdout
    header = query.stdout.splitlines()[0].split()
    assert header[:8] == ["FREQ", "REF_AREA", "CITIZENSHIP", "SEX", "AGE", "ACCOMPANIMENT", "TIME_PERIOD", "OBS_VALUE"]
    assert "Columns left out to fit the terminal: UNIT_MEASURE" in query.stderr
    wide = pivgm(loaded_dir, "query", "DF_IRREGULAR_TRANSIT", "--limit", "3", "--wide", columns=80)
    assert "LAST_UPDATED" in wide.stdout.splitlines()[0] and "left out" not in wide.stderr


def test_query_writes_csv_with_the_published_numbers(loaded_dir):
    result = pivgm(loaded_dir, "query", "DF_POPULATION", "-f", "REF_AREA=MEX+GTM", "--from", "2024", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = {row["REF_AREA"]: float(row["OBS_VALUE"]) for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows == {"MEX": 130_861_007, "GTM": 18_406_359}


def test_query_accepts_comma_lists_as_the_web_and_api_do(loaded_dir):
    result = pivgm(loaded_dir, "query", "DF_POPULATION", "-f", "REF_AREA=MEX,GTM", "--from", "2024", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert sorted(row["REF_AREA"] for row in csv.DictReader(io.StringIO(result.stdout))) == ["GTM", "MEX"]


def test_query_never_leaves_rows_out_silently(loaded_dir):
    """Fails if the stderr note of ``run_query`` is removed."""
    table = pivgm(loaded_dir, "query", "DF_POPULATION")
    assert table.returncode == 0
    assert "Showing 50 of 2,990 observations" in table.stderr and "--limit" in table.stderr
    limited = pivgm(loaded_dir, "query", "DF_POPULATION", "--format", "csv", "--limit", "10")
    assert len(limited.stdout.splitlines()) == 11 and "Showing 10 of 2,990" in limited.stderr
    everything = pivgm(loaded_dir, "query", "DF_POPULATION", "--format", "csv")
    assert len(everything.stdout.splitlines()) == 2_991 and everything.stderr == ""


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["nope"], "No such command 'nope'"),
        (["query", "DF_POPULATION", "--bogus"], "No such option: --bogus"),
        (["query"], "Missing argument 'dataflow'"),
        (["query", "DF_POPULATION", "--format", "xml"], "'xml' is not one of 'table', 'csv', 'json'"),
        (["query", "DF_POPULATION", "--limit", "many"], "Invalid value for '--limit'"),
        (["serve", "--port", "http"], "Invalid value for '--port'"),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_code_2(tmp_path, arguments, says):
    """Fails if ``main`` stops catching ``typer.TyperException`` (the traceback comes back, exit code 1)."""
    result = pivgm(settings_for(tmp_path / "data"), *arguments)
    assert result.returncode == 2
    assert says in result.stderr and "--help" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unknown_dataflow_is_a_clear_error_and_a_nonzero_exit(loaded_dir):
    result = pivgm(loaded_dir, "query", "DF_NOPE")
    assert result.returncode == 3
    assert "DF_NOPE" in result.stderr


def test_a_malformed_filter_says_how_to_write_it(loaded_dir):
    result = pivgm(loaded_dir, "query", "DF_POPULATION", "-f", "REF_AREA")
    assert result.returncode == 2
    assert "DIMENSION=CODE" in result.stderr


def test_commands_before_init_say_to_run_init(tmp_path):
    result = pivgm(settings_for(tmp_path / "empty"), "flows")
    assert result.returncode == 6
    assert "pivgm init" in result.stderr


def test_an_unknown_source_lists_the_known_ones(tmp_path):
    result = pivgm(settings_for(tmp_path / "data"), "load-sources", "--only", "nope")
    assert result.returncode == 3
    assert "panama_darien" in result.stderr


def test_validate_exits_1_on_a_file_with_errors_and_0_on_a_clean_one(tmp_path):
    """Fails if ``main`` drops the code ``app(standalone_mode=False)`` returns for ``typer.Exit``."""
    settings = settings_for(tmp_path / "data")
    flags = ("--flow", "DF_RETURNS", "--provider", "MX_UPM", "--lang", "en")
    bad = pivgm(settings, "validate", str(WITH_ERRORS), *flags)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "12 error(s)" in bad.stdout and "'cuatro' is not a number" in bad.stdout
    good = pivgm(settings, "validate", str(VALID), *flags)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "93 rows, 0 error(s)" in good.stdout


def test_submit_exits_1_and_loads_nothing_when_the_file_has_errors(tmp_path):
    settings = settings_for(tmp_path / "data")
    result = pivgm(settings, "submit", str(WITH_ERRORS), "--flow", "DF_RETURNS", "--provider", "MX_UPM")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "invalid" in result.stdout
    assert Platform.open(settings).records.versions("DF_RETURNS") == []


def test_backup_refuses_to_overwrite_without_force(tmp_path):
    """Fails if the ``destination.exists()`` check in ``operations.backup.backup`` is removed."""
    settings = settings_for(tmp_path / "data")
    assert pivgm(settings, "init").returncode == 0
    destination = tmp_path / "pivgm.tar.gz"
    destination.write_bytes(b"an earlier backup")
    refused = pivgm(settings, "backup", str(destination))
    assert refused.returncode == 8 and "--force" in refused.stderr
    assert destination.read_bytes() == b"an earlier backup"
    if settings.database_url:  # PostgreSQL records are backed up with pg_dump, not by ``pivgm backup``
        return
    forced = pivgm(settings, "backup", str(destination), "--force")
    assert forced.returncode == 0, forced.stderr
    assert destination.stat().st_size > len(b"an earlier backup")


def test_a_busy_port_is_reported_before_serving(tmp_path):
    """Fails if ``check_port_free`` is not called before "Serving on" (uvicorn then logs and exits 1)."""
    settings = settings_for(tmp_path / "data")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = pivgm(settings, "serve", "--port", str(port), timeout=60)
    assert result.returncode == 9
    assert f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Serving on" not in result.stdout
