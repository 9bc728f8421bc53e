"""Time for the accounts services, passed in so that tests can move it instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def now_from(clock: Clock) -> datetime:
    """The clock's time in UTC (stored times are UTC; SQLite compares them as text)."""
    moment = clock()
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
