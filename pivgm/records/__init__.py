"""Records: what was loaded, by whom, from which file, and what is released. SQLAlchemy 2, Alembic.

SQLite by default, any SQLAlchemy URL (PostgreSQL on a server) otherwise; nothing outside this package
depends on which.
"""

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
    "ArchivedFile",
    "MappingInfo",
    "NewRelease",
    "NewSubmission",
    "ProviderInfo",
    "Records",
    "ReleaseInfo",
    "StateChange",
    "StateChangedError",
    "SubmissionEvent",
    "SubmissionInfo",
    "SubmissionStore",
    "VersionInfo",
    "VersionRecordSpec",
    "connect",
    "is_initialised",
    "upgrade",
]
