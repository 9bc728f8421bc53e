"""Reads and writes of accounts (users, grants, sessions, API tokens, login attempts).

Writes that must be audited take the ``AuditEvent`` and commit it in the same transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Select, delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pivgm.records.account_tables import (
    ApiTokenRecord,
    GrantRecord,
    LoginAttemptRecord,
    SessionRecord,
    UserRecord,
)
from pivgm.records.audit import AuditEvent, add_event
from pivgm.records.tables import ProviderRecord
from pivgm.records.times import _aware


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    password_hash: str
    password_temporary: bool
    active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    password_changed_at: datetime
    grants: tuple[tuple[str, str | None], ...] = ()
    email: str | None = None


@dataclass(frozen=True)
class SessionInfo:
    id: str
    user: UserInfo
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    must_change_password: bool


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class NewSession:
    id: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    must_change_password: bool


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    ip: str | None
    at: datetime
    outcome: str
    success: bool = False


def _when(moment: datetime | None) -> datetime | None:
    return _aware(moment) if moment is not None else None


def _grants(session: Session, user_id: int) -> tuple[tuple[str, str | None], ...]:
    rows = session.execute(
        select(GrantRecord.role, GrantRecord.provider_id).where(GrantRecord.user_id == user_id).order_by(GrantRecord.id)
    )
    return tuple((role, provider) for role, provider in rows)


def _user(session: Session, record: UserRecord) -> UserInfo:
    return UserInfo(
        id=record.id,
        username=record.username,
        display_name=record.display_name,
        password_hash=record.password_hash,
        password_temporary=record.password_temporary,
        active=record.active,
        failed_logins=record.failed_logins,
        locked_until=_when(record.locked_until),
        created_at=_aware(record.created_at),
        password_changed_at=_aware(record.password_changed_at),
        grants=_grants(session, record.id),
        email=record.email,
    )


def _token(record: ApiTokenRecord) -> TokenInfo:
    return TokenInfo(
        id=record.id,
        user_id=record.user_id,
        name=record.name,
        prefix=record.prefix,
        created_at=_aware(record.created_at),
        expires_at=_aware(record.expires_at),
        revoked_at=_when(record.revoked_at),
        last_used_at=_when(record.last_used_at),
    )


class AccountStore:
    """Users, grants, sessions, tokens and login attempts. Every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # users and grants -------------------------------------------------------------------------------------

    def user(self, username: str) -> UserInfo | None:
        with Session(self.engine) as session:
            record = session.scalar(select(UserRecord).where(UserRecord.username == username))
            return _user(session, record) if record else None

    def user_by_id(self, user_id: int) -> UserInfo | None:
        with Session(self.engine) as session:
            record = session.get(UserRecord, user_id)
            return _user(session, record) if record else None

    def users(self) -> list[UserInfo]:
        with Session(self.engine) as session:
            return [_user(session, r) for r in session.scalars(select(UserRecord).order_by(UserRecord.username))]

    def provider_ids(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.scalars(select(ProviderRecord.id).order_by(ProviderRecord.id)))

    def add_user(
        self,
        username: str,
        display_name: str,
        password_hash: str,
        temporary: bool,
        now: datetime,
        event: AuditEvent,
        email: str | None = None,
    ) -> UserInfo | None:
        """The new user, or None when the username is taken."""
        try:
            with Session(self.engine) as session, session.begin():
                record = UserRecord(
                    username=username,
                    display_name=display_name,
                    email=email,
                    password_hash=password_hash,
                    password_temporary=temporary,
                    active=True,
                    failed_logins=0,
                    created_at=now,
                    password_changed_at=now,
                )
                session.add(record)
                session.flush()
                add_event(session, event)
                return _user(session, record)
        except IntegrityError:
            return None

    def set_password(self, user_id: int, password_hash: str, temporary: bool, now: datetime, event: AuditEvent) -> None:
        """Replace the hash (set by an administrator): the lock-out is lifted, the user's sessions end and
        their API tokens are revoked (whoever knew the old password may have made one)."""
        with Session(self.engine) as session, session.begin():
            record = session.get_one(UserRecord, user_id)
            record.password_hash = password_hash
            record.password_temporary = temporary
            record.password_changed_at = now
            record.failed_logins = 0
            record.locked_until = None
            _revoke_sessions(session, user_id, now)
            _revoke_tokens(session, user_id, now)
            add_event(session, event)

    def set_email(self, user_id: int, email: str | None, event: AuditEvent) -> None:
        with Session(self.engine) as session, session.begin():
            session.get_one(UserRecord, user_id).email = email
            add_event(session, event)

    def set_active(self, user_id: int, active: bool, now: datetime, event: AuditEvent) -> None:
        """Deactivation ends the user's sessions and revokes their tokens for good: reactivating the account
        does not bring them back."""
        with Session(self.engine) as session, session.begin():
            session.get_one(UserRecord, user_id).active = active
            if not active:
                _revoke_sessions(session, user_id, now)
                _revoke_tokens(session, user_id, now)
            add_event(session, event)

    def add_grant(self, user_id: int, role: str, provider_id: str | None, now: datetime, event: AuditEvent) -> bool:
        """False when the user already holds this grant (nothing written)."""
        with Session(self.engine) as session, session.begin():
            if (role, provider_id) in _grants(session, user_id):
                return False
            session.add(GrantRecord(user_id=user_id, role=role, provider_id=provider_id, granted_at=now))
            add_event(session, event)
            return True

    def remove_grant(self, user_id: int, role: str, provider_id: str | None, now: datetime, event: AuditEvent) -> bool:
        """False when the user did not hold this grant (nothing written). The user's API tokens are revoked:
        a token handed to a script for the old role must not outlive it."""
        with Session(self.engine) as session, session.begin():
            query = delete(GrantRecord).where(GrantRecord.user_id == user_id, GrantRecord.role == role)
            query = query.where(
                GrantRecord.provider_id.is_(None) if provider_id is None else GrantRecord.provider_id == provider_id
            )
            if not session.execute(query).rowcount:  # type: ignore[attr-defined]
                return False
            _revoke_tokens(session, user_id, now)
            add_event(session, event)
            return True

    # login attempts ---------------------------------------------------------------------------------------

    @contextmanager
    def attempt(self, username: str, ip: str | None) -> Iterator[AttemptLedger]:
        """One transaction in which no other attempt on ``username`` or from ``ip`` runs: the limits are
        counted and this attempt is recorded before the next one counts (SQLite's write lock, taken at
        BEGIN IMMEDIATE, serialises them all; PostgreSQL takes an advisory lock per account and address)."""
        if self.engine.dialect.name == "postgresql":
            with Session(self.engine) as session, session.begin():
                for key in (f"login:user:{username}", f"login:ip:{ip}"):
                    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
                yield AttemptLedger(session)
            return
        # One attempt per process at a time asks for SQLite's lock: dozens of threads contending for it while
        # they share one interpreter lock would let the lock's holder starve past the busy timeout.
        with _SQLITE_ATTEMPTS, Session(self.engine) as session, session.begin():
            yield AttemptLedger(session)

    def settle_failure(self, event: AuditEvent) -> None:
        """Audit a failed password check (its attempt was counted before the check)."""
        with Session(self.engine) as session, session.begin():
            add_event(session, event)

    def failures(self, since: datetime, username: str | None = None, ip: str | None = None) -> int:
        """Failed attempts since ``since`` for ``username`` or from ``ip``."""
        with Session(self.engine) as session:
            return session.scalar(_failures(since, username, ip)) or 0

    def last_success(self, username: str) -> datetime | None:
        with Session(self.engine) as session:
            return _when(session.scalar(_last_success(username)))

    def record_login(
        self, attempt_id: int, user_id: int, new: NewSession, event: AuditEvent, rehash: str | None
    ) -> None:
        """A successful login: its attempt (counted as a failure while the password was checked) marked ok,
        the new session, the audit row, and a rehashed (or, for a temporary password, spent) password hash,
        in one commit."""
        with Session(self.engine) as session, session.begin():
            attempt = session.get_one(LoginAttemptRecord, attempt_id)
            attempt.outcome, attempt.success = "ok", True
            record = session.get_one(UserRecord, user_id)
            record.failed_logins = 0
            record.locked_until = None
            if rehash is not None:
                record.password_hash = rehash
            session.add(
                SessionRecord(
                    id=new.id,
                    user_id=user_id,
                    csrf_token=new.csrf_token,
                    created_at=new.created_at,
                    expires_at=new.expires_at,
                    last_seen_at=new.created_at,
                    ip=new.ip,
                    user_agent=new.user_agent,
                    must_change_password=new.must_change_password,
                )
            )
            add_event(session, event)

    def prune(self, attempts_before: datetime, sessions_before: datetime) -> None:
        """Forget login attempts (they are also in the audit log) and sessions that ended long ago."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(LoginAttemptRecord).where(LoginAttemptRecord.at < attempts_before))
            session.execute(delete(SessionRecord).where(SessionRecord.expires_at < sessions_before))

    # sessions ---------------------------------------------------------------------------------------------

    def session(self, session_id: str) -> SessionInfo | None:
        with Session(self.engine) as session:
            record = session.get(SessionRecord, session_id)
            if record is None:
                return None
            return SessionInfo(
                id=record.id,
                user=_user(session, session.get_one(UserRecord, record.user_id)),
                csrf_token=record.csrf_token,
                created_at=_aware(record.created_at),
                expires_at=_aware(record.expires_at),
                last_seen_at=_aware(record.last_seen_at),
                revoked_at=_when(record.revoked_at),
                must_change_password=record.must_change_password,
            )

    def touch_session(self, session_id: str, now: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            session.get_one(SessionRecord, session_id).last_seen_at = now

    def end_session(self, session_id: str, now: datetime, event: AuditEvent) -> None:
        with Session(self.engine) as session, session.begin():
            record = session.get(SessionRecord, session_id)
            if record is not None and record.revoked_at is None:
                record.revoked_at = now
            add_event(session, event)

    def password_changed(
        self, session_id: str, user_id: int, password_hash: str, now: datetime, event: AuditEvent
    ) -> None:
        """The user set a new password from session ``session_id``: its other sessions end, this one goes on."""
        with Session(self.engine) as session, session.begin():
            record = session.get_one(UserRecord, user_id)
            record.password_hash = password_hash
            record.password_temporary = False
            record.password_changed_at = now
            _revoke_sessions(session, user_id, now, keep=session_id)
            session.get_one(SessionRecord, session_id).must_change_password = False
            add_event(session, event)

    # API tokens -------------------------------------------------------------------------------------------

    def add_token(
        self,
        user_id: int,
        name: str,
        token_hash: str,
        prefix: str,
        now: datetime,
        expires_at: datetime,
        event: AuditEvent,
    ) -> TokenInfo:
        with Session(self.engine) as session, session.begin():
            record = ApiTokenRecord(
                user_id=user_id, name=name, token_hash=token_hash, prefix=prefix, created_at=now, expires_at=expires_at
            )
            session.add(record)
            session.flush()
            add_event(session, event)
            return _token(record)

    def tokens(self, user_id: int) -> list[TokenInfo]:
        with Session(self.engine) as session:
            query = select(ApiTokenRecord).where(ApiTokenRecord.user_id == user_id).order_by(ApiTokenRecord.id.desc())
            return [_token(r) for r in session.scalars(query)]

    def token(self, token_id: int) -> TokenInfo | None:
        with Session(self.engine) as session:
            record = session.get(ApiTokenRecord, token_id)
            return _token(record) if record else None

    def token_by_hash(self, token_hash: str) -> tuple[TokenInfo, UserInfo] | None:
        with Session(self.engine) as session:
            record = session.scalar(select(ApiTokenRecord).where(ApiTokenRecord.token_hash == token_hash))
            if record is None:
                return None
            return _token(record), _user(session, session.get_one(UserRecord, record.user_id))

    def touch_token(self, token_id: int, now: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            session.get_one(ApiTokenRecord, token_id).last_used_at = now

    def revoke_token(self, token_id: int, now: datetime, event: AuditEvent) -> None:
        with Session(self.engine) as session, session.begin():
            record = session.get_one(ApiTokenRecord, token_id)
            if record.revoked_at is None:
                record.revoked_at = now
            add_event(session, event)


_SQLITE_ATTEMPTS = threading.Lock()


class AttemptLedger:
    """Login attempts counted and recorded inside the transaction of ``AccountStore.attempt``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def user(self, username: str) -> UserInfo | None:
        record = self.session.scalar(select(UserRecord).where(UserRecord.username == username))
        return _user(self.session, record) if record else None

    def failures(self, since: datetime, username: str | None = None, ip: str | None = None) -> int:
        return self.session.scalar(_failures(since, username, ip)) or 0

    def last_success(self, username: str) -> datetime | None:
        return _when(self.session.scalar(_last_success(username)))

    def record(
        self,
        attempt: LoginAttempt,
        event: AuditEvent | None = None,
        user_id: int | None = None,
        lock_until: datetime | None = None,
    ) -> int:
        """Add the attempt (a ``failed`` one counts on the user and may lock it until ``lock_until``);
        returns its id."""
        record = _attempt(attempt)
        self.session.add(record)
        if user_id is not None and attempt.outcome == "failed":
            user = self.session.get_one(UserRecord, user_id)
            user.failed_logins += 1
            if lock_until is not None:
                user.locked_until = lock_until
        if event is not None:
            add_event(self.session, event)
        self.session.flush()
        return record.id


def _failures(since: datetime, username: str | None, ip: str | None) -> Select[int]:
    query = select(func.count(LoginAttemptRecord.id)).where(
        LoginAttemptRecord.at >= since, LoginAttemptRecord.outcome == "failed"
    )
    if username is not None:
        query = query.where(LoginAttemptRecord.username == username)
    if ip is not None:
        query = query.where(LoginAttemptRecord.ip == ip)
    return query


def _last_success(username: str) -> Select[datetime]:
    return select(func.max(LoginAttemptRecord.at)).where(
        LoginAttemptRecord.username == username, LoginAttemptRecord.success.is_(True)
    )


def _attempt(attempt: LoginAttempt) -> LoginAttemptRecord:
    return LoginAttemptRecord(
        username=attempt.username[:64],
        ip=attempt.ip[:64] if attempt.ip else None,
        at=attempt.at,
        success=attempt.success,
        outcome=attempt.outcome,
    )


def _revoke_tokens(session: Session, user_id: int, now: datetime) -> None:
    query = select(ApiTokenRecord).where(ApiTokenRecord.user_id == user_id, ApiTokenRecord.revoked_at.is_(None))
    for record in session.scalars(query):
        record.revoked_at = now


def _revoke_sessions(session: Session, user_id: int, now: datetime, keep: str | None = None) -> None:
    query = select(SessionRecord).where(SessionRecord.user_id == user_id, SessionRecord.revoked_at.is_(None))
    for record in session.scalars(query):
        if record.id != keep:
            record.revoked_at = now
