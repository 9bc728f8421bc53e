"""Load one source as a new dataset version and publish the dataflow's new release, atomically.

Order of events (each stage reads only the previous one):
1. read and conform the source (nothing written yet);
2. write the version's Parquet file (complete, then renamed into place);
3. build the release snapshot on the dataflow's newest release: its other providers' versions plus this one
   (``publishing.Publisher``: refused while a release is scheduled, rebuilt if another lands meanwhile);
4. one records transaction makes the version, the release and the audit row visible, after checking that
   neither the dataflow's newest release nor the provider's newest version changed since they were read.
A failure or a kill before step 4 commits leaves only unreferenced files, which no reader opens and which
``collect_garbage`` removes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pivgm.accounts.actor import Actor, Role
from pivgm.accounts.audit import event, operating_system_actor
from pivgm.errors import PermissionDeniedError
from pivgm.ingest.conform import conform
from pivgm.model import Dataflow
from pivgm.records import AuditStore, NewRelease, ProviderInfo, Records, ReleaseInfo, VersionInfo
from pivgm.records.repository import NewVersion, utc_now
from pivgm.sources import SourceImporter
from pivgm.structures import Standard
from pivgm.warehouse import Warehouse
from pivgm.warehouse.merge import iso_utc, stamp_revisions
from pivgm.workflow.deriving import Deriver
from pivgm.workflow.publishing import Publisher, commit

Checkpoint = Callable[[str], None]


def _no_checkpoint(stage: str) -> None:
    """Stages are named so that tests can interrupt a load at each one."""


Scope = Callable[[pa.Table], pa.Array]
"""Which rows of the provider's newest version a load replaces (a boolean mask); None: all of them."""


@dataclass(frozen=True)
class LoadResult:
    """``changed`` is False when the data equalled the provider's newest version: nothing was recorded, and
    ``version`` and ``release`` are the ones already in place."""

    source: str
    version: VersionInfo
    release: ReleaseInfo
    changed: bool = True


def merged_table(
    importer: SourceImporter,
    dataflow: Dataflow,
    newest: pa.Table | None,
    directory: Path | None,
    scope: Scope | None,
) -> pa.Table:
    """The source's observations conformed to the dataflow; with a ``scope``, put in place of the rows of the
    provider's newest version it covers (the rest are kept), in key order."""
    table = importer.read(directory) if directory else importer.read()
    table = conform(table, dataflow, source=importer.id)
    if scope is None or newest is None:
        return table
    keys = [*dataflow.structure.dimension_ids, dataflow.structure.time_dimension]
    kept = newest.filter(pc.invert(scope(newest))).select(table.column_names).cast(table.schema)
    return pa.concat_tables([kept, table]).sort_by([(k, "ascending") for k in keys])


def _same(table: pa.Table, newest: pa.Table | None, keys: list[str]) -> bool:
    if newest is None or set(newest.column_names) != set(table.column_names):
        return False
    order = [(k, "ascending") for k in keys]
    return newest.select(table.column_names).sort_by(order).equals(table.sort_by(order))


def _digest_files(paths: list[Path]) -> tuple[str, list[dict[str, str]]]:
    overall = hashlib.sha256()
    described = []
    for path in paths:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        overall.update(digest.encode())
        described.append({"name": path.name, "sha256": digest})
    return overall.hexdigest(), described


def load_source(
    importer: SourceImporter,
    standard: Standard,
    records: Records,
    warehouse: Warehouse,
    directory: Path | None = None,
    checkpoint: Checkpoint = _no_checkpoint,
    actor: Actor | None = None,
    clock: Callable[[], datetime] = utc_now,
    scope: Scope | None = None,
    skip_unchanged: bool = False,
) -> LoadResult:
    """Load ``importer``'s files as a new version of its dataflow and release it at once (audited as
    ``actor``'s ``source.loaded``, in the same commit; the operating system's user by default).

    With a ``scope``, only the rows of the provider's newest version it covers are replaced; with
    ``skip_unchanged``, data equal to the provider's newest version record nothing (``changed`` False)."""
    who = actor or operating_system_actor()
    if not who.has(Role.ADMINISTRATOR):
        audit_store = AuditStore(records.engine)
        audit_store.append(event(who, "permission.denied", f"source:{importer.id}", {"action": "load"}, at=utc_now()))
        raise PermissionDeniedError(
            f"{who.username} may not load sources: a load publishes at once, which needs an administrator.",
            role=Role.ADMINISTRATOR.value,
        )
    dataflow = standard.dataflow(importer.dataflow_id)
    publisher = Publisher(standard, records, warehouse, clock)
    publisher.base(dataflow.id, clock())  # refuse at once if a release is scheduled: nothing to undo later
    paths = importer.paths(directory) if directory else importer.paths()
    keys = [*dataflow.structure.dimension_ids, dataflow.structure.time_dimension]
    newest = {v.provider_id: v for v in records.current_versions(dataflow.id)}.get(importer.provider_id)
    previous = warehouse.path(newest.parquet_file) if newest else None
    old = pq.read_table(previous) if previous is not None and (scope or skip_unchanged) else None
    table = merged_table(importer, dataflow, old, directory, scope)
    table = stamp_revisions(previous, table, keys, dataflow.structure.measure.id, iso_utc(clock()))
    if skip_unchanged and newest is not None and _same(table, old, keys):
        in_force = [r for r in records.releases(dataflow.id) if newest.id in r.version_ids]
        if in_force:
            return LoadResult(importer.id, newest, in_force[-1], changed=False)
    checkpoint("conformed")
    input_sha256, source_files = _digest_files(paths)
    stored = warehouse.write_version(dataflow.id, table)
    checkpoint("version-written")
    provider = ProviderInfo(
        id=importer.provider_id,
        name_es=importer.provider_name["es"],
        name_en=importer.provider_name["en"],
        source_url=importer.source_url,
    )
    new_version = NewVersion(
        dataflow_id=dataflow.id,
        provider=provider,
        source=importer.id,
        source_files=source_files,
        input_sha256=input_sha256,
        parquet_file=stored.relative_path,
        row_count=stored.row_count,
    )
    details = {"dataflow": dataflow.id, "provider": provider.id, "observations": stored.row_count}

    def build() -> NewRelease:
        release = publisher.with_new_version(dataflow.id, importer.provider_id, stored.relative_path)
        checkpoint("release-written")
        return release

    def write(release: NewRelease) -> tuple[VersionInfo, ReleaseInfo]:
        entry = event(who, "source.loaded", f"source:{importer.id}", details, at=utc_now())
        return records.record_version_and_release(new_version, release, newest.id if newest else None, entry)

    version, release = commit(build, write)
    checkpoint("committed")
    Deriver(standard, records, warehouse, clock).after_release(dataflow.id, release.published_at, who)
    return LoadResult(importer.id, version, release)
