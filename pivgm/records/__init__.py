"""Records: what was loaded, by whom, from which file, and what is released. SQLAlchemy 2, Alembic.

SQLite by default, any SQLAlchemy URL (PostgreSQL on a server) otherwise; nothing outside this package
depends on which.
"""

from pivgm.records.accounts import AccountStore, LoginAttempt, NewSession, SessionInfo, TokenInfo, UserInfo
from pivgm.records.audit import AuditEvent, AuditFilter, AuditStore
from pivgm.records.database import connect, is_initialised, upgrade
from pivgm.records.repository import ProviderInfo, Records, ReleaseInfo, VersionInfo
from pivgm.records.submissions import (
    ArchivedFile,
    MappingInfo,
    NewRelease,
    NewSubmission,
    StateChange,
    StateChangedError,
    SubmissionEvent,
    SubmissionInfo,
    SubmissionStore,
    VersionRecordSpec,
)

__all__ = [
    "AccountStore",
    "ArchivedFile",
    "AuditEvent",
    "AuditFilter",
    "AuditStore",
    "LoginAttempt",
    "MappingInfo",
    "NewRelease",
    "NewSession",
    "NewSubmission",
    "ProviderInfo",
    "Records",
    "ReleaseInfo",
    "SessionInfo",
    "StateChange",
    "StateChangedError",
    "SubmissionEvent",
    "SubmissionInfo",
    "SubmissionStore",
    "TokenInfo",
    "UserInfo",
    "VersionInfo",
    "VersionRecordSpec",
    "connect",
    "is_initialised",
    "upgrade",
]
