"""The one way to make a release: every path that creates a version or a release goes through ``Publisher``.

Review publication and withdrawal (``transitions``), source loads and pulls (``loading``) and the command line
all build the dataflow's new release on its newest release (even one still under embargo), and commit it
only if that release is still the newest (``Records`` runs ``check_base`` in the committing transaction).
When another release landed meanwhile, the new one is rebuilt on it and committed again (``commit``), so no
publication is ever lost. A new release may not take effect before the newest one: a release scheduled for
a time must not be overtaken by one that lacks its data, or be revealed early by one that has it.

``commit`` calls a ``Seam`` with ``"built"`` between building and committing: tests interleave another
publication there, deterministically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from pivgm.errors import NotFoundError, PivgmError
from pivgm.ingest.conform import observation_schema
from pivgm.platform import Platform
from pivgm.records import NewRelease, Records, VersionInfo
from pivgm.records.repository import ReleaseRaceError, utc_now
from pivgm.structures import Standard
from pivgm.warehouse import Warehouse

RELEASE_ATTEMPTS = 5

Seam = Callable[[str], None]
Built = TypeVar("Built")
Result = TypeVar("Result")


def no_seam(stage: str) -> None:
    """Production runs straight through; tests pass a seam that acts at a stage."""


class ReleaseOrderError(PivgmError):
    status_code = 409
    exit_code = 2
    code = "release-scheduled"


@dataclass(frozen=True)
class Base:
    """The release a new one builds on: its member versions and its id (None for a dataflow's first)."""

    members: list[VersionInfo]
    release_id: int | None

    def without(self, provider_id: str) -> list[VersionInfo]:
        return [v for v in self.members if v.provider_id != provider_id]


def commit(build: Callable[[], Built], write: Callable[[Built], Result], seam: Seam = no_seam) -> Result:
    """Build, then write in one transaction that checks the base; rebuild on a newer base when another
    release landed in between (``ReleaseRaceError``), a few times, then give up with that error."""
    for attempt in range(RELEASE_ATTEMPTS):
        built = build()
        seam("built")
        try:
            return write(built)
        except ReleaseRaceError:
            if attempt == RELEASE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Publisher:
    """Builds and records the releases of every dataflow, on the parts it needs and nothing else."""

    standard: Standard
    records: Records
    warehouse: Warehouse
    clock: Callable[[], datetime] = utc_now

    def version(self, version_id: int) -> VersionInfo:
        version = self.records.version(version_id)
        if version is None:
            raise NotFoundError(f"Dataset version {version_id} does not exist.", version=version_id)
        return version

    def base(self, dataflow_id: str, at: datetime) -> Base:
        """The dataflow's newest release, which a release taking effect at ``at`` builds on."""
        last = self.records.last_release_time(dataflow_id)
        if last is not None and last > at:
            raise ReleaseOrderError(
                f"{dataflow_id} has a release scheduled for {last.isoformat()}; a new release of it can take "
                "effect only at or after that time (or cancel that publication first).",
                scheduled=last.isoformat(),
            )
        if last is None:
            return Base([], None)
        newest = self.records.published_releases(last)[dataflow_id]
        return Base(self.records.release_versions(newest.id), newest.id)

    def build(self, dataflow_id: str, files: list[str]) -> tuple[str, int]:
        """The release snapshot of ``files`` (version files), written in place: its path and row count."""
        dataflow = self.standard.dataflow(dataflow_id)
        keys = [*dataflow.structure.dimension_ids, dataflow.structure.time_dimension]
        stored = self.warehouse.build_release(dataflow_id, files, keys, empty_schema=observation_schema(dataflow))
        return stored.relative_path, stored.row_count

    def publication(self, version_id: int, release_at: datetime | None = None) -> NewRelease:
        """The release in which ``version_id`` replaces its provider's data, taking effect at ``release_at``."""
        version = self.version(version_id)
        moment = release_at or self.clock()
        base = self.base(version.dataflow_id, moment)
        members = [*base.without(version.provider_id), version]
        parquet_file, rows = self.build(version.dataflow_id, [v.parquet_file for v in members])
        return NewRelease(parquet_file, rows, tuple(v.id for v in members), moment, based_on=base.release_id)

    def withdrawal(self, version_id: int) -> NewRelease | None:
        """The release without ``version_id``: its provider falls back to the version it had published before.

        None when the version is no longer in the newest release (a later version already replaced it).
        """
        version = self.version(version_id)
        now = self.clock()
        base = self.base(version.dataflow_id, now)
        if version.id not in {v.id for v in base.members}:
            return None
        previous: VersionInfo | None = None
        for release in self.records.releases(version.dataflow_id):
            if version.id in release.version_ids or release.published_at > now:
                continue
            earlier = [v for v in self.records.release_versions(release.id) if v.provider_id == version.provider_id]
            if earlier and earlier[0].id < version.id:
                previous = earlier[0]
        kept = [v for v in base.members if v.id != version.id] + ([previous] if previous else [])
        parquet_file, rows = self.build(version.dataflow_id, [v.parquet_file for v in kept])
        return NewRelease(
            parquet_file,
            rows,
            tuple(v.id for v in kept),
            now,
            withdraws_version_id=version.id,
            based_on=base.release_id,
        )

    def with_new_version(self, dataflow_id: str, provider_id: str, parquet_file: str) -> NewRelease:
        """The release, taking effect now, in which a version not recorded yet (its file is in place)
        replaces ``provider_id``'s data; ``version_ids`` are the other providers' members."""
        return self.with_new_versions(dataflow_id, {provider_id: parquet_file})

    def with_new_versions(self, dataflow_id: str, files: dict[str, str]) -> NewRelease:
        """The release, taking effect now, in which versions not recorded yet (``files``: each provider's
        version file, in place) replace those providers' data; ``version_ids`` are the other members."""
        now = self.clock()
        base = self.base(dataflow_id, now)
        others = [v for v in base.members if v.provider_id not in files]
        release_file, rows = self.build(dataflow_id, [*(v.parquet_file for v in others), *files.values()])
        return NewRelease(release_file, rows, tuple(v.id for v in others), now, based_on=base.release_id)


def publisher_of(platform: Platform) -> Publisher:
    """The publisher on a platform's parts."""
    return Publisher(platform.standard, platform.records, platform.warehouse, platform.clock)
