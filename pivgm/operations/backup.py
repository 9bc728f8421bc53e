"""``pivgm backup`` and ``pivgm restore`` for the embedded default (SQLite records + Parquet files).

A backup is a gzip tar with the records snapshot, every file the snapshot refers to (dataset versions,
releases, archived uploads) and a manifest of SHA-256 digests. Files are immutable and content-addressed,
so copying them after the snapshot is consistent: nothing the snapshot points to is ever rewritten.
On PostgreSQL the records are backed up with pg_dump (docs/deployment.md); this command then refuses.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pivgm.errors import PivgmError
from pivgm.platform import Platform
from pivgm.records import connect, is_initialised
from pivgm.records.backup import is_sqlite, snapshot_sqlite
from pivgm.records.repository import utc_now
from pivgm.settings import Settings
from pivgm.warehouse.files import sha256_of

RECORDS_NAME = "records.sqlite"
MANIFEST_NAME = "manifest.json"


class BackupError(PivgmError):
    status_code = 400
    exit_code = 8
    code = "backup-failed"


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    files: int
    bytes: int


def backup(platform: Platform, destination: Path, overwrite: bool = False) -> BackupSummary:
    """Write a backup of ``platform``'s data directory to ``destination`` (a .tar.gz); an existing file
    there is replaced only when ``overwrite``."""
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} already exists: choose another name, or pass --force to replace it.")
    if not is_sqlite(platform.records.engine):
        raise BackupError(
            "The records are in PostgreSQL: back them up with pg_dump and copy the data directory "
            "(see docs/deployment.md)."
        )
    with tempfile.TemporaryDirectory() as folder:
        snapshot = Path(folder) / RECORDS_NAME
        snapshot_sqlite(platform.records.engine, snapshot)
        copy = Platform.open(Settings(data_dir=platform.settings.data_dir, database_url=f"sqlite:///{snapshot}"))
        wanted = sorted(copy.records.referenced_files() | copy.submissions.archived_files())
        copy.records.engine.dispose()
        digests: dict[str, str] = {}
        manifest = {"created_at": utc_now().isoformat(), "files": digests}
        total = 0
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(snapshot, RECORDS_NAME)
            for relative in wanted:
                path = platform.warehouse.path(relative)
                digests[relative] = sha256_of(path)
                total += path.stat().st_size
                archive.add(path, relative)
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        partial.replace(destination)
    return BackupSummary(destination, len(wanted), total)


def restore(source: Path, settings: Settings) -> int:
    """Restore a backup into an empty data directory; returns how many files were restored."""
    target = settings.data_dir
    if settings.database_url and not settings.database_url.startswith("sqlite"):
        raise BackupError("Restore into PostgreSQL with pg_restore; this command restores the embedded default.")
    if (target / RECORDS_NAME).exists() or is_initialised(connect(settings.records_url)):
        raise BackupError(f"{target} already holds records: restore into an empty data directory.")
    try:
        with tarfile.open(source, "r:gz") as archive:
            manifest = json.loads(archive.extractfile(MANIFEST_NAME).read())  # type: ignore[union-attr]
            names = {RECORDS_NAME, MANIFEST_NAME, *manifest["files"]}
            unexpected = [m.name for m in archive.getmembers() if m.name not in names or not m.isfile()]
            if unexpected:
                raise BackupError(f"{source.name} holds unexpected entries ({unexpected[0]}): not a PIVGM backup.")
            target.mkdir(parents=True, exist_ok=True)
            archive.extractall(target, filter="data")
    except (tarfile.TarError, KeyError, ValueError, OSError) as error:
        raise BackupError(f"{source.name} is not a readable PIVGM backup ({error}).") from None
    (target / MANIFEST_NAME).unlink(missing_ok=True)
    for relative, digest in manifest["files"].items():
        if sha256_of(target / relative) != digest:
            raise BackupError(f"{relative} does not match its checksum in the backup: the backup is damaged.")
    return len(manifest["files"])
