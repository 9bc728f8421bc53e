"""The command line, run as a user runs it: a real process, configured by environment."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest


def pivgm(data_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIVGM_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("PIVGM_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pivgm", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def loaded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli")
    result = pivgm(data_dir, "load-sources", "--only", "panama_darien", "--only", "worldbank_population")
    assert result.returncode == 0, result.stderr
    assert "panama_darien" in result.stdout and "worldbank_population" in result.stdout
    return data_dir


def test_init_creates_the_records_in_the_data_directory(tmp_path):
    result = pivgm(tmp_path / "data", "init")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "records.sqlite").exists()
    assert "dataflows" in result.stdout


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
    result = pivgm(tmp_path / "empty", "flows")
    assert result.returncode == 6
    assert "pivgm init" in result.stderr


def test_an_unknown_source_lists_the_known_ones(tmp_path):
    result = pivgm(tmp_path / "data", "load-sources", "--only", "nope")
    assert result.returncode == 3
    assert "panama_darien" in result.stderr
