"""Login rate limits and lock-out, counted from the login attempts in the records so that they hold the same
across several web worker processes.

After ``max_failures`` failed logins for a username within ``window``, the account is locked for ``lock_for``;
an address with ``max_ip_failures`` failures within ``window`` (any usernames) is refused for as long.
Attempts are decided one at a time per account and address, and each is counted as a failure before its
password is checked, so that N simultaneous wrong passwords get exactly ``max_failures`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from pivgm.errors import PivgmError
from pivgm.records import UserInfo


class AttemptCounts(Protocol):
    """Where the limits count attempts: the ledger of the attempt being decided (``AccountStore.attempt``)."""

    def failures(self, since: datetime, username: str | None = None, ip: str | None = None) -> int: ...

    def last_success(self, username: str) -> datetime | None: ...


class TooManyAttemptsError(PivgmError):
    """Login refused without checking the password: too many recent failures for this account or address."""

    status_code = 429
    exit_code = 7
    code = "too-many-attempts"


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)
    max_ip_failures: int = 20


DEFAULT_POLICY = LoginPolicy()


@dataclass(frozen=True)
class Refusal:
    outcome: str  # "locked" or "ip-limited"
    until: datetime

    def error(self, now: datetime) -> TooManyAttemptsError:
        minutes = max(1, -(-int((self.until - now).total_seconds()) // 60))
        return TooManyAttemptsError(
            f"Too many failed sign-in attempts; try again in {minutes} minute(s). "
            "An administrator can reset the password if it is lost.",
            retry_after=minutes * 60,
            reason=self.outcome,
        )


def refusal(
    store: AttemptCounts, username: str, ip: str | None, user: UserInfo | None, now: datetime, policy: LoginPolicy
) -> Refusal | None:
    """Why this attempt must be refused before its password is checked, if it must."""
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return Refusal("locked", user.locked_until)
    if user is None and store.failures(now - policy.window, username=username) >= policy.max_failures:
        # unknown usernames are limited alike, so that lock-outs do not tell which accounts exist
        return Refusal("locked", now + policy.lock_for)
    if ip is not None and store.failures(now - policy.window, ip=ip) >= policy.max_ip_failures:
        return Refusal("ip-limited", now + policy.lock_for)
    return None


def lock_after_failure(
    store: AttemptCounts, username: str, user: UserInfo | None, now: datetime, policy: LoginPolicy
) -> datetime | None:
    """Until when to lock ``user`` if this attempt, should it fail, is one too many, else None."""
    if user is None:
        return None
    since = now - policy.window
    for reset in (user.locked_until, store.last_success(username)):
        if reset is not None and since < reset <= now:
            since = reset  # failures before the last lock ended or the last success do not count again
    if store.failures(since, username=username) + 1 >= policy.max_failures:
        return now + policy.lock_for
    return None
