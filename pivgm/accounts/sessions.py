"""Browser sessions: sign in with a password (rate limited, every attempt audited), look a session up from
its cookie, sign out, and change one's password.

The cookie value is random and handed out once; the records keep only its SHA-256, so a copy of the database
does not let anyone in. Each session has its own CSRF token for the forms it posts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from pivgm.accounts import passwords
from pivgm.accounts.actor import Actor, Grant, Role
from pivgm.accounts.audit import event
from pivgm.accounts.clock import Clock, now_from, utc_now
from pivgm.accounts.limits import DEFAULT_POLICY, LoginPolicy, lock_after_failure, refusal
from pivgm.errors import AuthenticationRequiredError, InvalidParameterError, in_both
from pivgm.records import AccountStore, LoginAttempt, NewSession, SessionInfo, UserInfo

if TYPE_CHECKING:
    from pivgm.platform import Platform

LIFETIME = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(hours=2)
TOUCH_EVERY = timedelta(minutes=1)
KEEP_ATTEMPTS = timedelta(days=1)


class InvalidCredentialsError(AuthenticationRequiredError):
    """Wrong username or password (the message never says which)."""

    code = "invalid-credentials"


class SignIn(NamedTuple):
    """What a successful login hands to the browser: the session cookie's value and its CSRF token."""

    cookie: str
    csrf_token: str


@dataclass(frozen=True)
class SessionView:
    """A live session: who it is for, its CSRF token, and whether its password must be replaced first."""

    actor: Actor
    csrf_token: str
    display_name: str
    must_change_password: bool


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return username.strip().lower()


def actor_for(user: UserInfo, ip: str | None = None, via_token: bool = False) -> Actor:
    """The actor a user acts as: their grants, minus any role this version does not know."""
    known = {role.value for role in Role}
    grants = frozenset(Grant(Role(role), provider) for role, provider in user.grants if role in known)
    return Actor(user.id, user.username, grants, ip, via_token)


def login(
    platform: Platform,
    username: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    *,
    clock: Clock = utc_now,
    policy: LoginPolicy = DEFAULT_POLICY,
) -> SignIn:
    """Check the password and open a session; raises ``TooManyAttemptsError`` (429) while locked out or
    rate limited, ``InvalidCredentialsError`` (401) otherwise. Every attempt is recorded and audited."""
    store = AccountStore(platform.records.engine)
    now = now_from(clock)
    name = normalise_username(username)[:64]
    target = f"user:{name}"
    with store.attempt(name, ip) as ledger:
        user = ledger.user(name)
        who = Actor(user.id if user else None, name or "?", frozenset(), ip)
        refused = refusal(ledger, name, ip, user, now, policy)
        if refused is not None:
            why = {"reason": refused.outcome, "until": refused.until}
            ledger.record(
                LoginAttempt(name, ip, now, refused.outcome), event(who, "auth.login-refused", target, why, at=now)
            )
        else:  # counted as a failure before the check: parallel attempts see it
            lock = lock_after_failure(ledger, name, user, now, policy) if user is not None and user.active else None
            attempt_id = ledger.record(
                LoginAttempt(name, ip, now, "failed"), user_id=user.id if user else None, lock_until=lock
            )
    if refused is not None:
        raise refused.error(now)
    if user is None:
        passwords.spend_time_verifying(password)
    if user is None or not user.active or not passwords.verify(user.password_hash, password):
        reason = "unknown-user" if user is None else ("wrong-password" if user.active else "inactive")
        details: dict[str, object] = {"reason": reason}
        if lock is not None:
            details["locked_until"] = lock
        store.settle_failure(event(who, "auth.login-failed", target, details, at=now))
        raise InvalidCredentialsError("Wrong username or password.")
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    agent = (user_agent or "")[:256] or None
    new = NewSession(digest(cookie), csrf, now, now + LIFETIME, ip, agent, user.password_temporary)
    if user.password_temporary:
        rehash: str | None = passwords.SPENT  # a temporary password works once
    else:
        rehash = passwords.hash_password(password) if passwords.needs_rehash(user.password_hash) else None
    signed_in = {"user_agent": agent, "temporary_password": user.password_temporary}
    store.record_login(attempt_id, user.id, new, event(who, "auth.login", target, signed_in, at=now), rehash)
    store.prune(now - KEEP_ATTEMPTS, now - KEEP_ATTEMPTS)
    return SignIn(cookie, csrf)


def _live(session: SessionInfo | None, clock: Clock) -> SessionInfo | None:
    now = now_from(clock)
    if session is None or session.revoked_at is not None or not session.user.active:
        return None
    if session.expires_at <= now or now - session.last_seen_at > IDLE_TIMEOUT:
        return None
    return session


def lookup(platform: Platform, cookie: str, ip: str | None = None, *, clock: Clock = utc_now) -> SessionView | None:
    """The live session behind a cookie value, or None (unknown, signed out, expired, idle, user deactivated).
    A session whose temporary password must still be replaced acts with no role."""
    store = AccountStore(platform.records.engine)
    session = _live(store.session(digest(cookie)), clock)
    if session is None:
        return None
    now = now_from(clock)
    if now - session.last_seen_at >= TOUCH_EVERY:
        store.touch_session(session.id, now)
    actor = actor_for(session.user, ip)
    if session.must_change_password:
        actor = Actor(actor.user_id, actor.username, frozenset(), ip)
    return SessionView(actor, session.csrf_token, session.user.display_name, session.must_change_password)


def logout(platform: Platform, cookie: str, actor: Actor, *, clock: Clock = utc_now) -> None:
    """End the session behind ``cookie`` (audited); signing out twice is harmless."""
    now = now_from(clock)
    AccountStore(platform.records.engine).end_session(
        digest(cookie), now, event(actor, "auth.logout", f"user:{actor.username}", at=now)
    )


def change_password(
    platform: Platform, cookie: str, current: str | None, new: str, *, clock: Clock = utc_now, ip: str | None = None
) -> None:
    """Replace the password of the session's user; the current password is asked for unless the session
    was opened with a (now spent) temporary one. The user's other sessions end."""
    store = AccountStore(platform.records.engine)
    session = _live(store.session(digest(cookie)), clock)
    if session is None:
        raise AuthenticationRequiredError("Sign in first.")
    if not session.must_change_password and not passwords.verify(session.user.password_hash, current or ""):
        raise InvalidParameterError(
            "The current password is not right.",
            parameter="current_password",
            **in_both("La contraseña actual no es correcta.", "The current password is not right."),
        )
    passwords.check_policy(new)
    now = now_from(clock)
    actor = actor_for(session.user, ip)
    store.password_changed(
        session.id,
        session.user.id,
        passwords.hash_password(new),
        now,
        event(actor, "auth.password-changed", f"user:{session.user.username}", at=now),
    )
