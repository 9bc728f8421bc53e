"""Records: what was loaded, by whom, from which file, and what is released. SQLAlchemy 2, Alembic.

SQLite by default, any SQLAlchemy URL (PostgreSQL on a server) otherwise; nothing outside this package
depends on which.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_MODULES = {  # each name's module, imported on first use: `pivgm flows` needs neither accounts nor submissions
    **dict.fromkeys(("AccountStore", "LoginAttempt", "NewSession", "SessionInfo", "TokenInfo", "UserInfo"), "accounts"),
    **dict.fromkeys(("AuditEvent", "AuditFilter", "AuditStore"), "audit"),
    **dict.fromkeys(("connect", "is_initialised", "upgrade"), "database"),
    **dict.fromkeys(("ProviderInfo", "Records", "ReleaseInfo", "VersionInfo"), "repository"),
    **dict.fromkeys(
        (
            "ArchivedFile",
            "MappingInfo",
            "NewRelease",
            "NewSubmission",
            "StateChange",
            "StateChangedError",
            "SubmissionEvent",
            "SubmissionInfo",
            "SubmissionStore",
            "VersionRecordSpec",
        ),
        "submissions",
    ),
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
