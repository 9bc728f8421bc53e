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
from pathlib import Path, PurePosixPath
from typing import Any

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


def _entry_problem(name: str) -> str | None:
    """Why ``name`` cannot be a file of a backup, if it cannot: it must stay inside the data directory."""
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("\\") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in path.parts or not path.parts:
        return "a path leading out of the data directory"
    return None


def _check_entries(source: Path, archive: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BackupError(f"{source.name} has no list of files in its manifest: not a PIVGM backup.")
    for name in files:
        problem = _entry_problem(name)
        if problem is not None:
            raise BackupError(f"{source.name} lists {name!r}, {problem}: not a PIVGM backup. Nothing was restored.")
    names = {RECORDS_NAME, MANIFEST_NAME, *files}
    for member in archive.getmembers():
        problem = _entry_problem(member.name) or (None if member.isfile() else "not a regular file")
        if problem is not None or member.name not in names:
            why = problem or "not in its manifest"
            raise BackupError(
                f"{source.name} holds the entry {member.name!r} ({why}): not a PIVGM backup. Nothing was restored."
            )


def restore(source: Path, settings: Settings) -> int:
    """Restore a backup into an empty data directory; returns how many files were restored.

    All or nothing: every entry is checked (relative paths inside the data directory, listed in the
    manifest), extracted into a staging directory beside the target and checked against its digest; only
    then are the files moved into place. A refused backup leaves the target as it was."""
    target = settings.data_dir
    if settings.database_url and not settings.database_url.startswith("sqlite"):
        raise BackupError("Restore into PostgreSQL with pg_restore; this command restores the embedded default.")
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: restore into an empty data directory.")
    if settings.database_url and is_initialised(connect(settings.records_url)):
        raise BackupError(f"{settings.records_url} already holds records: restore into an empty database.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.restoring-", dir=target.parent) as folder:
        staging = Path(folder)
        files = _extract_checked(source, staging)
        target.mkdir(exist_ok=True)
        for entry in staging.iterdir():
            entry.rename(target / entry.name)  # same file system: each move is atomic
    return files


def _extract_checked(source: Path, staging: Path) -> int:
    try:
        with tarfile.open(source, "r:gz") as archive:
            manifest = json.loads(archive.extractfile(MANIFEST_NAME).read())  # type: ignore[union-attr]
            if not isinstance(manifest, dict):
                raise BackupError(f"{source.name} has a damaged manifest: not a PIVGM backup.")
            _check_entries(source, archive, manifest)
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, KeyError, ValueError, OSError) as error:
        raise BackupError(f"{source.name} is not a readable PIVGM backup ({error}). Nothing was restored.") from None
    (staging / MANIFEST_NAME).unlink(missing_ok=True)
    for relative, digest in manifest["files"].items():
        if sha256_of(staging / relative) != digest:
            raise BackupError(
                f"{relative} does not match its checksum in the backup: the backup is damaged. Nothing was restored."
            )
    return len(manifest["files"])
