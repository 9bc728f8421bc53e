"""Records of submissions: archived files, mappings, submissions and their reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from pivgm.errors import PivgmError
from pivgm.records.audit import AuditEvent, add_event
from pivgm.records.conflicts import retried_on_conflict
from pivgm.records.repository import (
    NewRelease,
    VersionInfo,
    _aware,
    _version,
    add_release,
    cancel_release,
    check_version_base,
    lock_row,
    utc_now,
)
from pivgm.records.tables import (
    ArchivedFileRecord,
    DatasetVersionRecord,
    MappingRecord,
    ProviderRecord,
    SubmissionEventRecord,
    SubmissionRecord,
)


@dataclass(frozen=True)
class ArchivedFile:
    sha256: str
    file_name: str
    size: int
    stored_file: str
    first_seen_at: datetime


@dataclass(frozen=True)
class MappingInfo:
    id: int
    provider_id: str
    dataflow_id: str
    version: int
    spec: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class SubmissionInfo:
    id: int
    provider_id: str
    dataflow_id: str
    file_sha256: str
    file_name: str
    mapping_id: int | None
    status: str
    row_count: int
    error_count: int
    warning_count: int
    report: dict[str, Any]
    version_id: int | None
    created_at: datetime
    created_by: str | None = None
    release_at: datetime | None = None
    release_id: int | None = None


def _submission(record: SubmissionRecord, file_name: str) -> SubmissionInfo:
    return SubmissionInfo(
        id=record.id,
        provider_id=record.provider_id,
        dataflow_id=record.dataflow_id,
        file_sha256=record.file_sha256,
        file_name=file_name,
        mapping_id=record.mapping_id,
        status=record.status,
        row_count=record.row_count,
        error_count=record.error_count,
        warning_count=record.warning_count,
        report=dict(record.report),
        version_id=record.version_id,
        created_at=_aware(record.created_at),
        created_by=record.created_by,
        release_at=_aware(record.release_at) if record.release_at else None,
        release_id=record.release_id,
    )


def _mapping(record: MappingRecord) -> MappingInfo:
    return MappingInfo(
        record.id,
        record.provider_id,
        record.dataflow_id,
        record.version,
        dict(record.spec),
        _aware(record.created_at),
    )


@dataclass(frozen=True)
class NewSubmission:
    provider_id: str
    dataflow_id: str
    file_sha256: str
    mapping_id: int | None
    status: str
    row_count: int
    error_count: int
    warning_count: int
    report: dict[str, Any]
    created_by: str | None = None


class SubmissionStore:
    """Every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ensure_provider(self, provider_id: str, name_es: str, name_en: str) -> None:
        with Session(self.engine) as session, session.begin():
            if session.get(ProviderRecord, provider_id) is None:
                session.add(ProviderRecord(id=provider_id, name_es=name_es, name_en=name_en, source_url=""))

    def archive(self, sha256: str, file_name: str, size: int, stored_file: str) -> ArchivedFile:
        """Record an archived file (once per content); returns the first record of that content."""
        with Session(self.engine) as session, session.begin():
            record = session.get(ArchivedFileRecord, sha256)
            if record is None:
                record = ArchivedFileRecord(
                    sha256=sha256,
                    file_name=file_name,
                    size=size,
                    stored_file=stored_file,
                    first_seen_at=utc_now(),
                )
                session.add(record)
            return ArchivedFile(
                record.sha256, record.file_name, record.size, record.stored_file, _aware(record.first_seen_at)
            )

    def archived_file(self, sha256: str) -> ArchivedFile | None:
        """The archived file with this content digest, if any."""
        with Session(self.engine) as session:
            record = session.get(ArchivedFileRecord, sha256)
            if record is None:
                return None
            return ArchivedFile(
                record.sha256, record.file_name, record.size, record.stored_file, _aware(record.first_seen_at)
            )

    def archived_files(self) -> set[str]:
        with Session(self.engine) as session:
            return set(session.scalars(select(ArchivedFileRecord.stored_file)))

    def forget_unsubmitted_file(self, sha256: str) -> bool:
        """Delete the record of an archived file that no submission refers to (an upload stopped before its
        submission was recorded); False, and nothing deleted, when a submission refers to it."""
        with Session(self.engine) as session, session.begin():
            referred = session.scalar(select(func.count()).where(SubmissionRecord.file_sha256 == sha256))
            if referred:
                return False
            record = session.get(ArchivedFileRecord, sha256)
            if record is not None:
                session.delete(record)
            return True

    @retried_on_conflict
    def save_mapping(
        self, provider_id: str, dataflow_id: str, spec: dict[str, Any], audit: AuditEvent | None = None
    ) -> MappingInfo:
        """Store ``spec`` as the provider's newest mapping for the dataflow, with its audit row (unchanged
        spec: no new version, nothing audited). The provider's row is locked first, so that two uploads saving
        a mapping at once number their versions one after the other (on PostgreSQL both read the same newest
        version and the second insert broke the unique version index: a 500 for an ordinary upload)."""
        with Session(self.engine) as session, session.begin():
            lock_row(session, ProviderRecord, provider_id)
            latest = session.scalars(
                select(MappingRecord)
                .where(MappingRecord.provider_id == provider_id, MappingRecord.dataflow_id == dataflow_id)
                .order_by(MappingRecord.version.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.spec == spec:
                return _mapping(latest)
            record = MappingRecord(
                provider_id=provider_id,
                dataflow_id=dataflow_id,
                version=(latest.version + 1) if latest else 1,
                spec=spec,
                created_at=utc_now(),
            )
            session.add(record)
            session.flush()
            if audit is not None:
                add_event(session, audit)
            return _mapping(record)

    def latest_mapping(self, provider_id: str, dataflow_id: str) -> MappingInfo | None:
        with Session(self.engine) as session:
            record = session.scalars(
                select(MappingRecord)
                .where(MappingRecord.provider_id == provider_id, MappingRecord.dataflow_id == dataflow_id)
                .order_by(MappingRecord.version.desc())
                .limit(1)
            ).first()
            return _mapping(record) if record else None

    def mapping(self, mapping_id: int) -> MappingInfo | None:
        with Session(self.engine) as session:
            record = session.get(MappingRecord, mapping_id)
            return _mapping(record) if record else None

    def add(self, new: NewSubmission, audit: Callable[[SubmissionInfo], AuditEvent] | None = None) -> SubmissionInfo:
        """Record a submission and its report, with the audit row ``audit`` makes for it, in one commit."""
        with Session(self.engine) as session, session.begin():
            record = SubmissionRecord(**new.__dict__, created_at=utc_now())
            session.add(record)
            session.flush()
            archived = session.get(ArchivedFileRecord, new.file_sha256)
            submission = _submission(record, archived.file_name if archived else "")
            if audit is not None:
                add_event(session, audit(submission))
            return submission

    def get(self, submission_id: int) -> SubmissionInfo | None:
        with Session(self.engine) as session:
            row = session.execute(
                select(SubmissionRecord, ArchivedFileRecord.file_name)
                .join(ArchivedFileRecord, ArchivedFileRecord.sha256 == SubmissionRecord.file_sha256)
                .where(SubmissionRecord.id == submission_id)
            ).first()
            return _submission(row[0], row[1]) if row else None

    def of_version(self, version_id: int) -> SubmissionInfo | None:
        """The submission that loaded ``version_id`` (None for versions loaded from sources or pulls)."""
        with Session(self.engine) as session:
            found = session.scalar(select(SubmissionRecord.id).where(SubmissionRecord.version_id == version_id))
        return self.get(found) if found is not None else None

    def loaded_with_file(self, provider_id: str, dataflow_id: str, sha256: str) -> SubmissionInfo | None:
        """An earlier submission of the same bytes that was loaded (re-uploads are recognised)."""
        with Session(self.engine) as session:
            record = session.scalars(
                select(SubmissionRecord)
                .where(
                    SubmissionRecord.provider_id == provider_id,
                    SubmissionRecord.dataflow_id == dataflow_id,
                    SubmissionRecord.file_sha256 == sha256,
                    SubmissionRecord.version_id.is_not(None),
                )
                .order_by(SubmissionRecord.id)
                .limit(1)
            ).first()
            found = record.id if record else None
        return self.get(found) if found is not None else None

    def find(
        self, provider_ids: list[str] | None = None, states: list[str] | None = None, limit: int = 200
    ) -> list[SubmissionInfo]:
        with Session(self.engine) as session:
            query = (
                select(SubmissionRecord, ArchivedFileRecord.file_name)
                .join(ArchivedFileRecord, ArchivedFileRecord.sha256 == SubmissionRecord.file_sha256)
                .order_by(SubmissionRecord.id.desc())
                .limit(limit)
            )
            if provider_ids is not None:
                query = query.where(SubmissionRecord.provider_id.in_(provider_ids))
            if states is not None:
                query = query.where(SubmissionRecord.status.in_(states))
            return [_submission(r, name) for r, name in session.execute(query)]

    @retried_on_conflict
    def record_loaded_version(
        self,
        submission_id: int,
        version: VersionRecordSpec,
        newest_seen: int | None,
        audit: AuditEvent | None = None,
    ) -> VersionInfo:
        """Make the submission's dataset version visible to the records and link it, with its audit row, in one
        commit. ``newest_seen`` is the provider's newest version of the dataflow when the new one was merged:
        refused (``ReleaseRaceError``) if another version was recorded since, whose changes it would lose."""
        with Session(self.engine) as session, session.begin():
            check_version_base(session, version.dataflow_id, version.provider_id, newest_seen)
            if audit is not None:
                add_event(session, audit)
            record = DatasetVersionRecord(**version.__dict__, loaded_at=utc_now())
            session.add(record)
            session.flush()
            submission = session.get(SubmissionRecord, submission_id)
            assert submission is not None
            submission.version_id = record.id
            submission.status = "draft"
            return _version(record)

    @retried_on_conflict
    def apply_transition(self, change: StateChange) -> SubmissionInfo:
        """Move a submission to its new state, with its history event and, for a publication or a
        withdrawal, the new release (for a cancellation, its scheduled release cancelled), all in one commit.
        Refuses if someone changed the state meanwhile."""
        with Session(self.engine) as session, session.begin():
            submission = session.get(SubmissionRecord, change.submission_id, with_for_update={"key_share": True})
            if submission is None or submission.status != change.from_state:
                raise StateChangedError(
                    f"Submission {change.submission_id} is no longer {change.from_state!r}; reload and try again.",
                    submission=change.submission_id,
                )
            submission.status = change.to_state
            now = utc_now()
            if change.release is not None:
                release = add_release(session, submission.dataflow_id, change.release)
                if change.release.withdraws_version_id is None:
                    submission.release_id = release.id
                    submission.release_at = release.published_at
            if change.cancellation is not None:
                cancelled = cancel_release(
                    session, change.cancellation.release_id, change.cancellation.followers, change.cancellation.now
                )
                submission.release_id = None
                submission.release_at = None
            audit = change.audit
            if audit is not None and change.cancellation is not None:
                audit = replace(audit, details={**audit.details, "indicators_cancelled": cancelled})
            if audit is not None:
                add_event(session, audit)
            session.add(
                SubmissionEventRecord(
                    submission_id=submission.id,
                    at=now,
                    actor=change.actor,
                    action=change.action,
                    from_state=change.from_state,
                    to_state=change.to_state,
                    comment=change.comment,
                )
            )
        result = self.get(change.submission_id)
        assert result is not None
        return result

    def events(self, submission_id: int) -> list[SubmissionEvent]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(SubmissionEventRecord)
                .where(SubmissionEventRecord.submission_id == submission_id)
                .order_by(SubmissionEventRecord.id)
            )
            return [
                SubmissionEvent(
                    r.id,
                    r.submission_id,
                    _aware(r.at),
                    r.actor,
                    r.action,
                    r.from_state,
                    r.to_state,
                    r.comment,
                )
                for r in rows
            ]

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(SubmissionRecord)) or 0)

    def fail_loads(self, submission_ids: list[int] | None = None) -> list[int]:
        """Mark the named submissions (every one, without ids) that are still ``loading`` as ``failed``:
        their load stopped before its commit. Returns the ids changed."""
        with Session(self.engine) as session, session.begin():
            query = select(SubmissionRecord).where(SubmissionRecord.status == "loading")
            if submission_ids is not None:
                query = query.where(SubmissionRecord.id.in_(submission_ids))
            changed = []
            for record in session.scalars(query):
                record.status = "failed"
                changed.append(record.id)
            return changed


class StateChangedError(PivgmError):
    status_code = 409
    exit_code = 2
    code = "state-changed"


@dataclass(frozen=True)
class StateChange:
    submission_id: int
    from_state: str
    to_state: str
    actor: str
    action: str
    comment: str = ""
    release: NewRelease | None = None
    audit: AuditEvent | None = None  # committed with the change
    cancellation: Cancellation | None = None


@dataclass(frozen=True)
class Cancellation:
    """The submission's scheduled release to cancel (``cancel_release``), as of ``now``, with the indicators
    it feeds (``followers``)."""

    release_id: int
    now: datetime
    followers: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubmissionEvent:
    id: int
    submission_id: int
    at: datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    comment: str


@dataclass(frozen=True)
class VersionRecordSpec:
    """The columns of a new dataset version (its Parquet file is already in place)."""

    dataflow_id: str
    provider_id: str
    source: str
    source_files: list[dict[str, str]]
    input_sha256: str
    parquet_file: str
    row_count: int
