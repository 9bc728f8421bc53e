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
from collections.abc import Callable, Mapping, Sequence
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
from pivgm.warehouse.merge import LAST_UPDATED, iso_utc, stamp_revisions
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
    provider's newest version it covers (the rest are kept), in key order. A source that states when each
    observation last changed (``LAST_UPDATED``: a pull from a service that says so) keeps that column."""
    raw = importer.read(directory) if directory else importer.read()
    table = conform(raw, dataflow, source=importer.id)
    if LAST_UPDATED in raw.column_names:
        table = table.append_column(LAST_UPDATED, raw.column(LAST_UPDATED).cast(pa.string()))
    if scope is None or newest is None:
        return table
    if LAST_UPDATED in table.column_names and LAST_UPDATED not in newest.column_names:
        newest = newest.append_column(LAST_UPDATED, pa.nulls(newest.num_rows, pa.string()))
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
    (result,) = load_sources(
        [(importer, directory)], standard, records, warehouse, checkpoint, actor, clock, scope, skip_unchanged
    )
    return result


@dataclass(frozen=True)
class _Staged:
    """A version whose file is written but which nothing refers to yet."""

    importer: SourceImporter
    version: NewVersion
    newest: VersionInfo | None


def _stage(
    importer: SourceImporter,
    directory: Path | None,
    dataflow: Dataflow,
    records: Records,
    warehouse: Warehouse,
    checkpoint: Checkpoint,
    now: str,
    scope: Scope | None,
    skip_unchanged: bool,
) -> _Staged | LoadResult:
    """Read, conform and merge one importer's data and write its version file; the result already in place
    instead when ``skip_unchanged`` and the data equal the provider's newest version."""
    paths = importer.paths(directory) if directory else importer.paths()
    keys = [*dataflow.structure.dimension_ids, dataflow.structure.time_dimension]
    newest = {v.provider_id: v for v in records.current_versions(dataflow.id)}.get(importer.provider_id)
    previous = warehouse.path(newest.parquet_file) if newest else None
    old = pq.read_table(previous) if previous is not None and (scope or skip_unchanged) else None
    table = merged_table(importer, dataflow, old, directory, scope)
    table = stamp_revisions(previous, table, keys, dataflow.structure.measure.id, now, keep_given=True)
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
    version = NewVersion(
        dataflow_id=dataflow.id,
        provider=provider,
        source=importer.id,
        source_files=source_files,
        input_sha256=input_sha256,
        parquet_file=stored.relative_path,
        row_count=stored.row_count,
    )
    return _Staged(importer, version, newest)


def load_sources(
    importers: Sequence[tuple[SourceImporter, Path | None]],
    standard: Standard,
    records: Records,
    warehouse: Warehouse,
    checkpoint: Checkpoint = _no_checkpoint,
    actor: Actor | None = None,
    clock: Callable[[], datetime] = utc_now,
    scope: Scope | None = None,
    skip_unchanged: bool = False,
    scopes: Mapping[str, Scope] | None = None,
) -> list[LoadResult]:
    """Load several providers' data of one dataflow (one importer each, with the folder of its files) as new
    versions and publish them in one release, all or nothing: one commit records every changed version,
    the release and their audit rows, or nothing at all. One result per importer, in their order.
    ``scopes``: a provider's own scope, in place of ``scope``."""
    who = actor or operating_system_actor()
    if not who.has(Role.ADMINISTRATOR):
        audit_store = AuditStore(records.engine)
        for importer, _ in importers:
            audit_store.append(
                event(who, "permission.denied", f"source:{importer.id}", {"action": "load"}, at=utc_now())
            )
        raise PermissionDeniedError(
            f"{who.username} may not load sources: a load publishes at once, which needs an administrator.",
            role=Role.ADMINISTRATOR.value,
        )
    dataflows = {importer.dataflow_id for importer, _ in importers}
    providers = [importer.provider_id for importer, _ in importers]
    if len(dataflows) != 1 or len(set(providers)) != len(providers):
        raise ValueError("load_sources takes importers of one dataflow, one per provider")
    dataflow = standard.dataflow(dataflows.pop())
    publisher = Publisher(standard, records, warehouse, clock)
    publisher.base(dataflow.id, clock())  # refuse at once if a release is scheduled: nothing to undo later
    now = iso_utc(clock())
    outcomes = [
        _stage(
            importer,
            directory,
            dataflow,
            records,
            warehouse,
            checkpoint,
            now,
            (scopes or {}).get(importer.provider_id, scope),
            skip_unchanged,
        )
        for importer, directory in importers
    ]
    staged = [o for o in outcomes if isinstance(o, _Staged)]
    if not staged:
        return [o for o in outcomes if isinstance(o, LoadResult)]

    def build() -> NewRelease:
        files = {s.version.provider.id: s.version.parquet_file for s in staged}
        release = publisher.with_new_versions(dataflow.id, files)
        checkpoint("release-written")
        return release

    def write(release: NewRelease) -> tuple[list[VersionInfo], ReleaseInfo]:
        entries = [
            event(
                who,
                "source.loaded",
                f"source:{s.importer.id}",
                {"dataflow": dataflow.id, "provider": s.version.provider.id, "observations": s.version.row_count},
                at=utc_now(),
            )
            for s in staged
        ]
        pairs = [(s.version, s.newest.id if s.newest else None) for s in staged]
        return records.record_versions_and_release(pairs, release, entries)

    versions, release = commit(build, write)
    checkpoint("committed")
    Deriver(standard, records, warehouse, clock).after_release(dataflow.id, release.published_at, who)
    made = iter(versions)
    return [LoadResult(o.importer.id, next(made), release) if isinstance(o, _Staged) else o for o in outcomes]
