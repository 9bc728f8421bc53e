"""Concurrent writers on PostgreSQL: row locks that inserts do not wait on, and deadlock victims run again.

On SQLite every writer holds the database's one write lock, so neither can happen there; these run on the
PostgreSQL pass of scripts/test (marked ``postgres``) and are skipped on the SQLite pass.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from pivgm.platform import Platform
from pivgm.records.conflicts import retried_on_conflict
from pivgm.records.repository import lock_row
from pivgm.records.tables import DataflowRecord, DatasetVersionRecord
from tests.backends import SERVER_URL, fresh_database_url, settings_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not SERVER_URL, reason="PostgreSQL only: SQLite's writers queue on one lock"),
]


def test_a_version_is_inserted_while_its_dataflow_is_locked_by_a_release_commit(tmp_path: Path) -> None:
    """Guards the NO KEY UPDATE in ``lock_row``: with a plain FOR UPDATE the insert waits (here: times out),
    which is how an upload's commit and a publication's commit deadlocked each other."""
    platform = Platform.initialise(settings_for(tmp_path / "data"))
    platform.submissions.ensure_provider("MX_UPM", "México", "Mexico")
    engine = platform.records.engine
    with Session(engine) as releasing, releasing.begin():
        lock_row(releasing, DataflowRecord, "DF_IRREGULAR_TRANSIT")
        with Session(engine) as loading, loading.begin():
            loading.execute(text("SET LOCAL lock_timeout = '2s'"))
            loading.add(
                DatasetVersionRecord(
                    dataflow_id="DF_IRREGULAR_TRANSIT",
                    provider_id="MX_UPM",
                    source="test",
                    source_files=[],
                    input_sha256="0" * 64,
                    parquet_file="versions/none.parquet",
                    row_count=0,
                    loaded_at=datetime.now(UTC),
                )
            )
            loading.flush()  # raises LockNotAvailable if the foreign-key check waits on the locked dataflow
            loading.rollback()


def test_a_transaction_aborted_to_break_a_deadlock_is_run_again() -> None:
    """Two transactions lock two rows in opposite orders; PostgreSQL aborts one of them and
    ``retried_on_conflict`` runs it again, so both complete (without it, one raises DeadlockDetected)."""
    url = fresh_database_url()
    assert url is not None
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE pair (id integer PRIMARY KEY)"))
        connection.execute(text("INSERT INTO pair VALUES (1), (2)"))
    both_hold_their_first_row = threading.Barrier(2, timeout=30)
    attempts: list[int] = []
    outcomes: dict[int, object] = {}

    @retried_on_conflict
    def lock_in_order(first: int, second: int) -> int:
        attempts.append(first)
        with engine.begin() as connection:
            connection.execute(text("SELECT id FROM pair WHERE id = :id FOR UPDATE"), {"id": first})
            if attempts.count(first) == 1:
                both_hold_their_first_row.wait()
            connection.execute(text("SELECT id FROM pair WHERE id = :id FOR UPDATE"), {"id": second})
        return first

    def run(first: int, second: int) -> None:
        try:
            outcomes[first] = lock_in_order(first, second)
        except Exception as error:  # the outcome under test, whatever it is
            outcomes[first] = error

    threads = [threading.Thread(target=run, args=order) for order in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert outcomes == {1: 1, 2: 2}
    assert len(attempts) == 3  # one of the two was the deadlock victim, and ran once more


def test_mappings_saved_at_once_for_one_provider_get_one_version_each(tmp_path: Path) -> None:
    """Guards the provider lock in ``save_mapping``: without it, two saves read the same newest version and
    one insert breaks the unique (provider, dataflow, version) index (an upload answered 500)."""
    platform = Platform.initialise(settings_for(tmp_path / "data"))
    platform.submissions.ensure_provider("MX_UPM", "México", "Mexico")
    start = threading.Barrier(8, timeout=30)
    failures: list[BaseException] = []

    def save(worker: int) -> None:
        start.wait()
        for turn in range(5):
            try:
                platform.submissions.save_mapping(
                    "MX_UPM", "DF_RETURNS", {"columns": {"OBS_VALUE": f"{worker}-{turn}"}}
                )
            except Exception as error:  # the outcome under test, whatever it is
                failures.append(error)

    threads = [threading.Thread(target=save, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    latest = platform.submissions.latest_mapping("MX_UPM", "DF_RETURNS")
    assert latest is not None and latest.version == 40
