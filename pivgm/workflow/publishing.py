"""Publishing and withdrawing dataset versions: new releases of their dataflow.

A dataflow's releases form a timeline by the time they take effect. A new release is built on the newest
release (even one still under embargo) and may not take effect before it: a release scheduled for a time
must not be overtaken by one that lacks its data, or be revealed early by one that has it.
"""

from __future__ import annotations

from datetime import datetime

from pivgm.errors import NotFoundError, PivgmError
from pivgm.ingest.conform import observation_schema
from pivgm.platform import Platform
from pivgm.records import NewRelease, ReleaseInfo, VersionInfo


class ReleaseOrderError(PivgmError):
    status_code = 409
    exit_code = 2
    code = "release-scheduled"


def _version(platform: Platform, version_id: int) -> VersionInfo:
    version = platform.records.version(version_id)
    if version is None:
        raise NotFoundError(f"Dataset version {version_id} does not exist.", version=version_id)
    return version


def _newest_members(platform: Platform, dataflow_id: str, at: datetime) -> tuple[list[VersionInfo], int | None]:
    """The members of the dataflow's newest release and its id (the base a new release is built on)."""
    last = platform.records.last_release_time(dataflow_id)
    if last is not None and last > at:
        raise ReleaseOrderError(
            f"{dataflow_id} has a release scheduled for {last.isoformat()}; publish at or after that time.",
            scheduled=last.isoformat(),
        )
    if last is None:
        return [], None
    newest = platform.records.published_releases(last)[dataflow_id]
    return platform.records.release_versions(newest.id), newest.id


def _build(platform: Platform, dataflow_id: str, members: list[VersionInfo]) -> tuple[str, int]:
    dataflow = platform.standard.dataflow(dataflow_id)
    keys = [*dataflow.structure.dimension_ids, dataflow.structure.time_dimension]
    files = [v.parquet_file for v in members]
    stored = platform.warehouse.build_release(dataflow_id, files, keys, empty_schema=observation_schema(dataflow))
    return stored.relative_path, stored.row_count


def publication(platform: Platform, version_id: int, release_at: datetime | None = None) -> NewRelease:
    """The release in which ``version_id`` replaces its provider's data, taking effect at ``release_at``."""
    version = _version(platform, version_id)
    moment = release_at or platform.clock()
    base, based_on = _newest_members(platform, version.dataflow_id, moment)
    members = [*(v for v in base if v.provider_id != version.provider_id), version]
    parquet_file, rows = _build(platform, version.dataflow_id, members)
    return NewRelease(parquet_file, rows, tuple(v.id for v in members), moment, based_on=based_on)


def withdrawal(platform: Platform, version_id: int) -> NewRelease | None:
    """The release without ``version_id``: its provider falls back to the version it had published before.

    None when the version is no longer in the newest release (a later version already replaced it).
    """
    version = _version(platform, version_id)
    now = platform.clock()
    members, based_on = _newest_members(platform, version.dataflow_id, now)
    if version.id not in {v.id for v in members}:
        return None
    previous: VersionInfo | None = None
    for release in platform.records.releases(version.dataflow_id):
        if version.id in release.version_ids or release.published_at > now:
            continue
        earlier = [v for v in platform.records.release_versions(release.id) if v.provider_id == version.provider_id]
        if earlier and earlier[0].id < version.id:
            previous = earlier[0]
    kept = [v for v in members if v.id != version.id] + ([previous] if previous else [])
    parquet_file, rows = _build(platform, version.dataflow_id, kept)
    return NewRelease(
        parquet_file, rows, tuple(v.id for v in kept), now, withdraws_version_id=version.id, based_on=based_on
    )


def publish_version(platform: Platform, version_id: int, release_at: datetime | None = None) -> ReleaseInfo:
    """Publish a version outside the review workflow (operators' command line and loaders)."""
    version = _version(platform, version_id)
    release = publication(platform, version_id, release_at)
    return platform.records.record_release(
        version.dataflow_id,
        release.parquet_file,
        release.row_count,
        list(release.version_ids),
        release.published_at,
        based_on=release.based_on,
    )
