"""Release period ranges kept in the data folder: the next reader answers without a query; a kept file that
cannot be read is ignored and written again; a release file's range is never another file's."""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pivgm.warehouse import ReleaseReader
from pivgm.warehouse.kept_periods import PERIODS_FILE


def release_file(folder: Path, periods: list[tuple[str, datetime.date]]) -> Path:
    """A release file named by the SHA-256 of its content, as the warehouse names them."""
    table = pa.table(
        {"TIME_PERIOD": [p for p, _ in periods], "TIME_PERIOD_START": pa.array([s for _, s in periods], pa.date32())}
    )
    temporary = folder / "release.tmp"
    pq.write_table(table, temporary)
    final = folder / f"{hashlib.sha256(temporary.read_bytes()).hexdigest()}.parquet"
    temporary.rename(final)
    return final


def closed_reader(kept: Path) -> ReleaseReader:
    """A reader that cannot query: what it answers, it answers from what is kept."""
    reader = ReleaseReader(kept)
    reader.close()
    return reader


QUARTERS = [("2021-Q3", datetime.date(2021, 7, 1)), ("2019-Q1", datetime.date(2019, 1, 1))]


def test_the_next_reader_answers_from_the_kept_range(tmp_path: Path):
    path = release_file(tmp_path, QUARTERS)
    assert ReleaseReader(tmp_path / "cache").period_range(path) == ("2019-Q1", "2021-Q3")
    assert closed_reader(tmp_path / "cache").period_range(path) == ("2019-Q1", "2021-Q3")


def test_a_release_without_observations_is_kept_as_such(tmp_path: Path):
    path = release_file(tmp_path, [])
    assert ReleaseReader(tmp_path / "cache").period_range(path) is None
    assert closed_reader(tmp_path / "cache").period_range(path) is None


def test_each_release_file_has_its_own_range(tmp_path: Path):
    first = release_file(tmp_path, QUARTERS)
    second = release_file(tmp_path, [*QUARTERS, ("2024-Q4", datetime.date(2024, 10, 1))])
    reader = ReleaseReader(tmp_path / "cache")
    assert reader.period_range(first) == ("2019-Q1", "2021-Q3")
    assert ReleaseReader(tmp_path / "cache").period_range(second) == ("2019-Q1", "2024-Q4")
    assert closed_reader(tmp_path / "cache").period_range(first) == ("2019-Q1", "2021-Q3")


@pytest.mark.parametrize(
    "damaged", ["{not json", "[1, 2]", json.dumps({"x.parquet": "2020"}), ""], ids=["text", "list", "shape", "empty"]
)
def test_a_kept_file_that_cannot_be_read_is_ignored_and_written_again(damaged: str, tmp_path: Path):
    path = release_file(tmp_path, QUARTERS)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / PERIODS_FILE).write_text(damaged, encoding="utf-8")

    assert ReleaseReader(tmp_path / "cache").period_range(path) == ("2019-Q1", "2021-Q3")
    assert closed_reader(tmp_path / "cache").period_range(path) == ("2019-Q1", "2021-Q3")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [PERIODS_FILE]  # no temporary file left
