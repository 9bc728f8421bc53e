"""The command line, run as a user runs it: a real process, configured by environment."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from pivgm.platform import Platform
from pivgm.settings import Settings
from tests.backends import environment_for, settings_for


def pivgm(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**environment_for(settings), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "pivgm", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


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
    assert "DF_POPULATION" in result.stdout
    assert "not published" in result.stdout


def test_query_writes_csv_with_the_published_numbers(loaded_dir):
    result = pivgm(loaded_dir, "query", "DF_POPULATION", "-f", "REF_AREA=MEX+GTM", "--from", "2024", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = {row["REF_AREA"]: float(row["OBS_VALUE"]) for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows == {"MEX": 130_861_007, "GTM": 18_406_359}


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
