"""Content-addressed Parquet files, written atomically: complete and renamed into place, or absent."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pivgm.errors import LoadError

if TYPE_CHECKING:  # DuckDB and Arrow load when a file is written, not for a command that only reads paths
    import pyarrow as pa

PERIOD_START = "TIME_PERIOD_START"
ARCHIVE_CHUNK = 1 << 20

# The first day of an SDMX period: 2023 -> 2023-01-01, 2023-Q3 -> 2023-07-01, 2023-07 -> 2023-07-01. A
# reporting period counts from its REPORTING_YEAR_START_DAY: 2022-A1 with --10-01 -> 2022-10-01, 2022-Q2 with
# --10-01 -> 2023-01-01, 2022-M03 with --10-01 -> 2022-12-01.
_CALENDAR_START_SQL = """
  WHEN regexp_full_match(TIME_PERIOD, '\\d{4}') THEN make_date(CAST(TIME_PERIOD AS INTEGER), 1, 1)
  WHEN regexp_full_match(TIME_PERIOD, '\\d{4}-Q[1-4]') THEN make_date(
    CAST(TIME_PERIOD[1:4] AS INTEGER), (CAST(TIME_PERIOD[7:7] AS INTEGER) - 1) * 3 + 1, 1)
  WHEN regexp_full_match(TIME_PERIOD, '\\d{4}-A1') THEN make_date(CAST(TIME_PERIOD[1:4] AS INTEGER), 1, 1)
  WHEN regexp_full_match(TIME_PERIOD, '\\d{4}-S[12]') THEN make_date(
    CAST(TIME_PERIOD[1:4] AS INTEGER), (CAST(TIME_PERIOD[7:7] AS INTEGER) - 1) * 6 + 1, 1)
  WHEN regexp_full_match(TIME_PERIOD, '\\d{4}-M\\d{2}') THEN make_date(
    CAST(TIME_PERIOD[1:4] AS INTEGER), CAST(TIME_PERIOD[7:8] AS INTEGER), 1)
  ELSE make_date(CAST(TIME_PERIOD[1:4] AS INTEGER), CAST(TIME_PERIOD[6:7] AS INTEGER), 1)
"""
_REPORTING_START_SQL = """
  WHEN REPORTING_YEAR_START_DAY IS NOT NULL AND trim(REPORTING_YEAR_START_DAY) <> ''
    AND regexp_full_match(TIME_PERIOD, '\\d{4}-(A1|S[12]|Q[1-4]|M\\d{2})') THEN CAST(
    make_date(CAST(TIME_PERIOD[1:4] AS INTEGER), CAST(trim(REPORTING_YEAR_START_DAY)[3:4] AS INTEGER),
              CAST(trim(REPORTING_YEAR_START_DAY)[6:7] AS INTEGER))
    + to_months(CASE TIME_PERIOD[6:6] WHEN 'S' THEN (CAST(TIME_PERIOD[7:7] AS INTEGER) - 1) * 6
                                     WHEN 'Q' THEN (CAST(TIME_PERIOD[7:7] AS INTEGER) - 1) * 3
                                     WHEN 'M' THEN CAST(TIME_PERIOD[7:8] AS INTEGER) - 1 ELSE 0 END) AS DATE)
"""
PERIOD_START_SQL = f"CASE {_CALENDAR_START_SQL} END"
REPORTING_START_DAY = "REPORTING_YEAR_START_DAY"


def period_start_sql(columns: Iterable[str]) -> str:
    """``PERIOD_START_SQL`` for a table with these columns: reporting periods count from their start day."""
    if REPORTING_START_DAY in set(columns):
        return f"CASE {_REPORTING_START_SQL} {_CALENDAR_START_SQL} END"
    return PERIOD_START_SQL


@dataclass(frozen=True)
class StoredFile:
    """A file in the warehouse: its path relative to the data directory, its digest and row count;
    ``created``: written by this call (not there before)."""

    relative_path: str
    sha256: str
    row_count: int
    created: bool = False


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _literal_list(texts: Sequence[str]) -> str:
    return "[" + ", ".join(_literal(t) for t in texts) + "]"


class Warehouse:
    """The Parquet side of the data directory: ``versions/<flow>/`` and ``releases/<flow>/``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def path(self, relative_path: str) -> Path:
        return self.data_dir / relative_path

    def _publish_file(self, temporary: Path, folder: Path, row_count: int) -> StoredFile:
        """fsync ``temporary``, then rename it to its content address in ``folder``."""
        _fsync(temporary)
        digest = sha256_of(temporary)
        final = folder / f"{digest}.parquet"
        if final.exists():
            temporary.unlink()
        else:
            os.replace(temporary, final)
            _fsync(folder)
        return StoredFile(str(final.relative_to(self.data_dir)), digest, row_count)

    def _temporary(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f".tmp-{uuid.uuid4().hex}.parquet"

    def write_version(self, dataflow_id: str, table: pa.Table) -> StoredFile:
        """Write one dataset version's observations."""
        folder = self.data_dir / "versions" / dataflow_id
        temporary = self._temporary(folder)
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq

            # Dictionary-encoded text is written as it is stored (Parquet encodes it so anyway) but described as
            # plain text, as every reader expects it back: the Arrow schema, which would say otherwise, is left out
            encoded = any(pa.types.is_dictionary(field.type) for field in table.schema)
            pq.write_table(table, temporary, compression="zstd", store_schema=not encoded)
            return self._publish_file(temporary, folder, table.num_rows)
        finally:
            temporary.unlink(missing_ok=True)

    def build_release(
        self,
        dataflow_id: str,
        version_files: Sequence[str],
        key_columns: Sequence[str],
        empty_schema: pa.Schema | None = None,
    ) -> StoredFile:
        """Union the given versions into one release snapshot, sorted by key, with period start dates.

        Raises ``LoadError`` if two versions hold the same key (two providers reporting one series).
        """
        folder = self.data_dir / "releases" / dataflow_id
        temporary = self._temporary(folder)
        files = [str(self.path(f)) for f in version_files]
        keys = ", ".join(_quote(c) for c in key_columns)
        if not files:
            return self._empty_release(dataflow_id, folder, temporary, empty_schema)
        import duckdb

        connection = duckdb.connect(":memory:")
        try:
            connection.execute(
                f"CREATE TEMP VIEW incoming AS SELECT * FROM read_parquet({_literal_list(files)}, union_by_name=true)"
            )
            duplicate = connection.execute(
                f"SELECT {keys}, count(*) AS n FROM incoming GROUP BY ALL HAVING n > 1 LIMIT 1"
            ).fetchone()
            if duplicate is not None:
                raise LoadError(
                    f"{dataflow_id}: key {'.'.join(map(str, duplicate[:-1]))} is reported by two versions.",
                    dataflow=dataflow_id,
                )
            columns = [row[0] for row in connection.execute("DESCRIBE incoming").fetchall()]
            connection.execute(
                f"COPY (SELECT *, {period_start_sql(columns)} AS {PERIOD_START} FROM incoming ORDER BY {keys}) "
                f"TO {_literal(str(temporary))} (FORMAT parquet, COMPRESSION zstd)"
            )
            (row_count,) = connection.execute("SELECT count(*) FROM incoming").fetchone()  # type: ignore[misc]
            return self._publish_file(temporary, folder, int(row_count))
        finally:
            connection.close()
            temporary.unlink(missing_ok=True)

    def archive(self, content: bytes | Path, suffix: str) -> StoredFile:
        """Keep an uploaded file byte for byte under ``archive/<sha256><suffix>`` (written atomically);
        ``content`` is its bytes or a file holding them, hashed and copied in chunks (never whole in memory)."""
        digest = _sha256(content)
        folder = self.data_dir / "archive"
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{digest}{suffix}"
        created = not final.exists()
        if created:
            temporary = folder / f".tmp-{os.getpid()}-{uuid.uuid4().hex}"  # its writer named: see discard_partial
            try:
                with open(temporary, "wb") as f:
                    if isinstance(content, Path):
                        with content.open("rb") as source:
                            shutil.copyfileobj(source, f, ARCHIVE_CHUNK)
                    else:
                        f.write(content)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(temporary, final)
                _fsync(folder)
            finally:
                temporary.unlink(missing_ok=True)
        return StoredFile(str(final.relative_to(self.data_dir)), digest, 0, created)

    def discard_partial(self, pid: int) -> None:
        """Remove the archive copies process ``pid`` had not finished writing (it was killed mid-copy: its
        own clean-up never ran). Only that process's: others may be writing theirs."""
        for path in (self.data_dir / "archive").glob(f".tmp-{pid}-*"):
            path.unlink(missing_ok=True)

    def discard_archived(self, sha256: str, suffix: str) -> None:
        """Remove the archived file ``archive/<sha256><suffix>`` (one no record refers to)."""
        (self.data_dir / "archive" / f"{sha256}{suffix}").unlink(missing_ok=True)

    def _empty_release(self, dataflow_id: str, folder: Path, temporary: Path, schema: pa.Schema | None) -> StoredFile:
        """A release with no observations (every provider's data withdrawn), with the dataflow's columns."""
        if schema is None:
            raise LoadError(f"{dataflow_id}: a release needs at least one version.", dataflow=dataflow_id)
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pq.write_table(schema.empty_table().append_column(PERIOD_START, pa.array([], pa.date32())), temporary)
            return self._publish_file(temporary, folder, 0)
        finally:
            temporary.unlink(missing_ok=True)

    def files(self) -> Iterable[Path]:
        for folder in ("versions", "releases"):
            yield from (self.data_dir / folder).glob("*/*.parquet")

    def orphans(self, referenced: set[str]) -> list[Path]:
        """Parquet files no record points to, and temporary files left by an interrupted write."""
        leftovers = [p for p in self.files() if str(p.relative_to(self.data_dir)) not in referenced]
        for folder in ("versions", "releases"):
            leftovers += list((self.data_dir / folder).glob("*/.tmp-*"))
        return sorted(leftovers)

    def collect_garbage(self, referenced: set[str]) -> list[Path]:
        """Delete orphans; returns what was deleted."""
        removed = self.orphans(referenced)
        for path in removed:
            path.unlink(missing_ok=True)
        return removed


def _sha256(content: bytes | Path) -> str:
    if not isinstance(content, Path):
        return hashlib.sha256(content).hexdigest()
    digest = hashlib.sha256()
    with content.open("rb") as source:
        while chunk := source.read(ARCHIVE_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
