"""Reads and writes of records, each in its own transaction. The only place with SQL for records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from pivgm.errors import PivgmError
from pivgm.model import Dataflow
from pivgm.model.releases import ProviderInfo, ReleaseInfo, VersionInfo
from pivgm.records.audit import AuditEvent, add_event
from pivgm.records.conflicts import retried_on_conflict
from pivgm.records.tables import (
    DataflowRecord,
    DatasetVersionRecord,
    ProviderRecord,
    ReleaseRecord,
    ReleaseVersionRecord,
    SubmissionEventRecord,
    SubmissionRecord,
)
from pivgm.records.times import _aware, utc_now


class ReleaseRaceError(PivgmError):
    """Another release of the dataflow was recorded while this one was being built."""

    status_code = 409
    exit_code = 2
    code = "release-race"


LIVE = ReleaseRecord.cancelled_at.is_(None)
"""Releases that were not cancelled: the only ones anything reads, checks or builds on."""


class ReleaseNotScheduledError(PivgmError):
    """A release to cancel is no longer scheduled: in force already, cancelled already, or built upon."""

    status_code = 409
    exit_code = 2
    code = "release-not-scheduled"


def lock_row(session: Session, record_type: type[DataflowRecord] | type[ProviderRecord], row_id: str) -> None:
    """Lock one dataflow's or provider's row until the transaction ends (``FOR NO KEY UPDATE`` on PostgreSQL;
    SQLite's writers hold its one write lock already). Concurrent lockers of the row wait; inserts of rows
    that refer to it, which take only a key-share lock, do not: a version's insert waiting on a dataflow
    locked by a release commit, itself waiting on the provider that insert's transaction locked, was a
    deadlock between concurrent uploads and publications."""
    session.execute(select(record_type.id).where(record_type.id == row_id).with_for_update(key_share=True))


def check_base(session: Session, dataflow_id: str, based_on: int | None) -> None:
    """Refuse a release built on a base that is no longer the dataflow's newest release (no lost update).

    The dataflow's row is locked first, so concurrent commits of one dataflow's releases check and write one
    after the other on PostgreSQL too (SQLite already holds its write lock from ``BEGIN IMMEDIATE``)."""
    lock_row(session, DataflowRecord, dataflow_id)
    newest = session.scalars(
        select(ReleaseRecord.id)
        .where(ReleaseRecord.dataflow_id == dataflow_id, LIVE)
        .order_by(ReleaseRecord.published_at.desc(), ReleaseRecord.id.desc())
        .limit(1)
    ).first()
    if newest != based_on:
        raise ReleaseRaceError(
            f"{dataflow_id} changed while its new release was being built; try again.", dataflow=dataflow_id
        )


@dataclass(frozen=True)
class ReviewedVersion:
    """A dataset version a submission loaded, with that submission's review state, its last review step
    (None before the first) and when its release takes effect (once published)."""

    version: VersionInfo
    submission_id: int
    state: str
    last_action: str | None
    release_at: datetime | None


@dataclass(frozen=True)
class NewVersion:
    """A version to record; its Parquet file is already complete and in place."""

    dataflow_id: str
    provider: ProviderInfo
    source: str
    source_files: list[dict[str, str]]
    input_sha256: str
    parquet_file: str
    row_count: int


@dataclass(frozen=True)
class NewRelease:
    """A release to record; its Parquet file is already complete and in place. ``based_on`` is the dataflow's
    newest release when this one was built: recording it is refused if that is no longer so."""

    parquet_file: str
    row_count: int
    version_ids: tuple[int, ...]
    published_at: datetime | None = None
    withdraws_version_id: int | None = None
    based_on: int | None = None


def newest_version_id(session: Session, dataflow_id: str, provider_id: str) -> int | None:
    return session.scalar(
        select(func.max(DatasetVersionRecord.id)).where(
            DatasetVersionRecord.dataflow_id == dataflow_id, DatasetVersionRecord.provider_id == provider_id
        )
    )


def check_version_base(session: Session, dataflow_id: str, provider_id: str, newest_seen: int | None) -> None:
    """Refuse a version merged when ``newest_seen`` was the provider's newest, if another came since (the
    provider's row is locked first, as in ``check_base``)."""
    lock_row(session, ProviderRecord, provider_id)
    if newest_version_id(session, dataflow_id, provider_id) != newest_seen:
        raise ReleaseRaceError(
            f"{provider_id}'s data of {dataflow_id} changed while the new version was being built; try again.",
            dataflow=dataflow_id,
            provider=provider_id,
        )


def add_release(
    session: Session, dataflow_id: str, release: NewRelease, extra_version_ids: Sequence[int] = ()
) -> ReleaseRecord:
    """Record ``release`` within the caller's transaction, after checking its base (no lost update)."""
    check_base(session, dataflow_id, release.based_on)
    now = utc_now()
    record = ReleaseRecord(
        dataflow_id=dataflow_id,
        parquet_file=release.parquet_file,
        row_count=release.row_count,
        created_at=now,
        published_at=release.published_at or now,
        withdraws_version_id=release.withdraws_version_id,
    )
    session.add(record)
    session.flush()
    members = (*release.version_ids, *extra_version_ids)
    session.add_all(ReleaseVersionRecord(release_id=record.id, version_id=v) for v in members)
    return record


def cancel_release(session: Session, release_id: int, followers: Sequence[str], now: datetime) -> list[str]:
    """Mark the scheduled release ``release_id``, and the releases of ``followers`` (the indicators it feeds)
    taking effect at or after its time, cancelled, within the caller's transaction; the followers whose
    releases were cancelled. Refused unless it is still scheduled at ``now`` and no release of its dataflow
    builds on it (that one is to be cancelled first)."""
    record = session.get(ReleaseRecord, release_id)
    if record is None or record.cancelled_at is not None:
        raise ReleaseNotScheduledError(f"Release {release_id} was cancelled already.", release=release_id)
    lock_row(session, DataflowRecord, record.dataflow_id)
    at = _aware(record.published_at)
    if at <= now:
        raise ReleaseNotScheduledError(
            f"Release {release_id} of {record.dataflow_id} took effect at {at.isoformat()}; it can no longer be "
            "cancelled: withdraw the publication instead.",
            release=release_id,
        )
    later = session.scalars(
        select(ReleaseRecord.id).where(
            ReleaseRecord.dataflow_id == record.dataflow_id,
            LIVE,
            or_(
                ReleaseRecord.published_at > record.published_at,
                and_(ReleaseRecord.published_at == record.published_at, ReleaseRecord.id > record.id),
            ),
        )
    ).first()
    if later is not None:
        raise ReleaseNotScheduledError(
            f"Release {later} of {record.dataflow_id}, scheduled after this one, builds on it: cancel that "
            "publication first.",
            release=release_id,
        )
    record.cancelled_at = now
    cancelled = []
    for follower in followers:
        lock_row(session, DataflowRecord, follower)
        scheduled = session.scalars(
            select(ReleaseRecord).where(
                ReleaseRecord.dataflow_id == follower, LIVE, ReleaseRecord.published_at >= record.published_at
            )
        ).all()
        for release in scheduled:
            release.cancelled_at = now
        if scheduled:
            cancelled.append(follower)
    return cancelled


def _version(record: DatasetVersionRecord) -> VersionInfo:
    return VersionInfo(
        id=record.id,
        dataflow_id=record.dataflow_id,
        provider_id=record.provider_id,
        source=record.source,
        source_files=list(record.source_files),
        input_sha256=record.input_sha256,
        parquet_file=record.parquet_file,
        row_count=record.row_count,
        loaded_at=_aware(record.loaded_at),
    )


class Records:
    """The records store. Every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def register_dataflows(self, dataflows: Iterable[Dataflow]) -> None:
        """Insert or update the registry of dataflows from the standard."""
        with Session(self.engine) as session, session.begin():
            for dataflow in dataflows:
                record = session.get(DataflowRecord, dataflow.id)
                if record is None:
                    record = DataflowRecord(id=dataflow.id, registered_at=utc_now())
                    session.add(record)
                record.version = dataflow.version
                record.name_es = dataflow.name.get("es")
                record.name_en = dataflow.name.get("en")

    def registered_dataflows(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(DataflowRecord.id).order_by(DataflowRecord.id)))

    def providers(self) -> list[ProviderInfo]:
        with Session(self.engine) as session:
            return [
                ProviderInfo(p.id, p.name_es, p.name_en, p.source_url)
                for p in session.scalars(select(ProviderRecord).order_by(ProviderRecord.id))
            ]

    def current_versions(self, dataflow_id: str) -> list[VersionInfo]:
        """The newest version of each provider's data for ``dataflow_id``."""
        with Session(self.engine) as session:
            newest = (
                select(func.max(DatasetVersionRecord.id))
                .where(DatasetVersionRecord.dataflow_id == dataflow_id)
                .group_by(DatasetVersionRecord.provider_id)
            )
            rows = session.scalars(
                select(DatasetVersionRecord)
                .where(DatasetVersionRecord.id.in_(newest))
                .order_by(DatasetVersionRecord.provider_id)
            )
            return [_version(row) for row in rows]

    def reviewed_versions(self, dataflow_id: str, provider_ids: Sequence[str]) -> list[ReviewedVersion]:
        """The versions of ``dataflow_id`` that submissions of ``provider_ids`` loaded, newest first, each with
        its submission's state and last review step (the workflow decides which are drafts to show)."""
        if not provider_ids:
            return []
        last_action = (
            select(SubmissionEventRecord.action)
            .where(SubmissionEventRecord.submission_id == SubmissionRecord.id)
            .order_by(SubmissionEventRecord.id.desc())
            .limit(1)
            .correlate(SubmissionRecord)
            .scalar_subquery()
        )
        query = (
            select(DatasetVersionRecord, SubmissionRecord, last_action)
            .join(SubmissionRecord, SubmissionRecord.version_id == DatasetVersionRecord.id)
            .where(
                DatasetVersionRecord.dataflow_id == dataflow_id,
                DatasetVersionRecord.provider_id.in_(list(provider_ids)),
            )
            .order_by(DatasetVersionRecord.id.desc(), SubmissionRecord.id.desc())
        )
        with Session(self.engine) as session:
            return [
                ReviewedVersion(
                    _version(version),
                    submission.id,
                    submission.status,
                    action,
                    _aware(submission.release_at) if submission.release_at else None,
                )
                for version, submission, action in session.execute(query)
            ]

    def versions(self, dataflow_id: str | None = None) -> list[VersionInfo]:
        with Session(self.engine) as session:
            query = select(DatasetVersionRecord).order_by(DatasetVersionRecord.id)
            if dataflow_id is not None:
                query = query.where(DatasetVersionRecord.dataflow_id == dataflow_id)
            return [_version(row) for row in session.scalars(query)]

    def record_version_and_release(
        self,
        version: NewVersion,
        release: NewRelease,
        newest_seen: int | None,
        audit: AuditEvent | None = None,
    ) -> tuple[VersionInfo, ReleaseInfo]:
        """Make a new version and the release that includes it (``release.version_ids`` are the other
        members) visible, with its audit row, in one commit. Refused (``ReleaseRaceError``) if ``release``'s
        base is no longer the dataflow's newest release, or if the provider has a version newer than
        ``newest_seen`` (the one the new version was compared with)."""
        audits = [audit] if audit else []
        (recorded,), made = self.record_versions_and_release([(version, newest_seen)], release, audits)
        return recorded, made

    @retried_on_conflict
    def record_versions_and_release(
        self,
        versions: Sequence[tuple[NewVersion, int | None]],
        release: NewRelease,
        audits: Sequence[AuditEvent] = (),
    ) -> tuple[list[VersionInfo], ReleaseInfo]:
        """Make new versions of one dataflow (one per provider, each with the provider's newest version it was
        compared with) and the release that includes them all visible, with their audit rows, in one commit:
        all or nothing. Refused (``ReleaseRaceError``) as ``record_version_and_release`` is."""
        now = utc_now()
        with Session(self.engine) as session, session.begin():
            records = []
            for version, newest_seen in versions:
                check_version_base(session, version.dataflow_id, version.provider.id, newest_seen)
                provider = session.get(ProviderRecord, version.provider.id)
                if provider is None:
                    provider = ProviderRecord(id=version.provider.id)
                    session.add(provider)
                provider.name_es = version.provider.name_es
                provider.name_en = version.provider.name_en
                provider.source_url = version.provider.source_url
                session.flush()  # the provider row must exist before the version that refers to it
                version_record = DatasetVersionRecord(
                    dataflow_id=version.dataflow_id,
                    provider_id=version.provider.id,
                    source=version.source,
                    source_files=version.source_files,
                    input_sha256=version.input_sha256,
                    parquet_file=version.parquet_file,
                    row_count=version.row_count,
                    loaded_at=now,
                )
                session.add(version_record)
                session.flush()
                records.append(version_record)
            new_ids = tuple(r.id for r in records)
            record = add_release(session, versions[0][0].dataflow_id, release, new_ids)
            for audit in audits:
                add_event(session, audit)
            return [_version(r) for r in records], self._release(record, (*release.version_ids, *new_ids))

    @staticmethod
    def _release(record: ReleaseRecord, version_ids: Sequence[int] = ()) -> ReleaseInfo:
        return ReleaseInfo(
            id=record.id,
            dataflow_id=record.dataflow_id,
            parquet_file=record.parquet_file,
            row_count=record.row_count,
            created_at=_aware(record.created_at),
            published_at=_aware(record.published_at),
            version_ids=tuple(version_ids),
        )

    @retried_on_conflict
    def record_release(self, dataflow_id: str, release: NewRelease, audit: AuditEvent | None = None) -> ReleaseInfo:
        """Make a release of recorded versions visible, with its audit row, in one commit; refused if
        ``release``'s base is no longer the dataflow's newest release."""
        with Session(self.engine) as session, session.begin():
            record = add_release(session, dataflow_id, release)
            if audit is not None:
                add_event(session, audit)
            return self._release(record, release.version_ids)

    def version(self, version_id: int) -> VersionInfo | None:
        with Session(self.engine) as session:
            record = session.get(DatasetVersionRecord, version_id)
            return _version(record) if record else None

    def published_versions(self, dataflow_id: str, at: datetime | None = None) -> list[VersionInfo]:
        """The versions that make up the release in force for ``dataflow_id`` at ``at`` (now by default)."""
        release = self.published_releases(at).get(dataflow_id)
        return self.release_versions(release.id) if release else []

    def published_releases(self, at: datetime | None = None) -> dict[str, ReleaseInfo]:
        """The release in force for each dataflow at ``at`` (now by default): the one published last by then.

        Releases with a later ``published_at`` are embargoed until that time and invisible here.
        """
        moment = at or utc_now()
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ReleaseRecord)
                .where(ReleaseRecord.published_at <= moment, LIVE)
                .order_by(ReleaseRecord.dataflow_id, ReleaseRecord.published_at.desc(), ReleaseRecord.id.desc())
            )
            in_force: dict[str, ReleaseInfo] = {}
            for row in rows:
                in_force.setdefault(row.dataflow_id, self._release(row))
            return in_force

    def next_release_time(self, after: datetime) -> datetime | None:
        """When the next embargoed release (of any dataflow) takes effect after ``after``."""
        with Session(self.engine) as session:
            moment = session.scalar(
                select(func.min(ReleaseRecord.published_at)).where(ReleaseRecord.published_at > after, LIVE)
            )
            return _aware(moment) if moment else None

    def last_release_time(self, dataflow_id: str) -> datetime | None:
        """When the newest release of ``dataflow_id`` takes effect (in the future if embargoed)."""
        with Session(self.engine) as session:
            moment = session.scalar(
                select(func.max(ReleaseRecord.published_at)).where(ReleaseRecord.dataflow_id == dataflow_id, LIVE)
            )
            return _aware(moment) if moment else None

    def releases(self, dataflow_id: str) -> list[ReleaseInfo]:
        """Every release of ``dataflow_id`` (but cancelled ones), in the order they take effect."""
        with Session(self.engine) as session:
            rows = list(
                session.scalars(
                    select(ReleaseRecord)
                    .where(ReleaseRecord.dataflow_id == dataflow_id, LIVE)
                    .order_by(ReleaseRecord.published_at, ReleaseRecord.id)
                )
            )
            members: dict[int, list[int]] = {}
            for release_id, version_id in session.execute(
                select(ReleaseVersionRecord.release_id, ReleaseVersionRecord.version_id).where(
                    ReleaseVersionRecord.release_id.in_([r.id for r in rows])
                )
            ):
                members.setdefault(release_id, []).append(version_id)
            return [self._release(row, sorted(members.get(row.id, []))) for row in rows]

    def release_versions(self, release_id: int) -> list[VersionInfo]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(DatasetVersionRecord)
                .join(ReleaseVersionRecord, ReleaseVersionRecord.version_id == DatasetVersionRecord.id)
                .where(ReleaseVersionRecord.release_id == release_id)
                .order_by(DatasetVersionRecord.provider_id)
            )
            return [_version(row) for row in rows]

    def referenced_files(self) -> set[str]:
        """Every Parquet file a record points to; anything else in the data directory is an orphan."""
        with Session(self.engine) as session:
            versions = set(session.scalars(select(DatasetVersionRecord.parquet_file)))
            releases = set(session.scalars(select(ReleaseRecord.parquet_file)))
            return versions | releases
