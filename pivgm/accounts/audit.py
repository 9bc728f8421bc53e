"""The audit log: every write says who, when, from which address, what, and on what. Administrators read it.

Every write commits its audit row in the same transaction as the change (services build it with ``event``
and hand it to the store that commits the change), so a crash can lose neither without the other;
``audit`` appends a row on its own, for refusals and reads that are audited as such.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pivgm.accounts.actor import Actor, Role, system_actor
from pivgm.accounts.clock import Clock, now_from, utc_now
from pivgm.errors import PermissionDeniedError
from pivgm.records import AuditEvent, AuditFilter, AuditStore

if TYPE_CHECKING:
    from pivgm.platform import Platform

__all__ = ["AuditEvent", "AuditFilter", "AuditPage", "audit", "event", "export_events", "list_events"]

PAGE_SIZE = 50


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)  # datetimes too


def _plain(details: dict[str, Any] | None) -> dict[str, Any]:
    """JSON-safe details: anything not JSON is written as its text; nothing here may fail an audited write."""
    if not details:
        return {}
    try:
        plain = json.loads(json.dumps(details, default=_text))
    except (TypeError, ValueError) as error:  # circular structures, keys that are not strings...
        return {"unserialisable": repr(details)[:2000], "error": str(error)}
    return plain if isinstance(plain, dict) else {"value": plain}


def operating_system_actor() -> Actor:
    """The administrator ``cli:<os user>`` that commands run on the server act as (without ``--as``)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        name = "unknown"
    return system_actor(f"cli:{name}")


def event(actor: Actor, action: str, target: str, details: dict[str, Any] | None = None, *, at: datetime) -> AuditEvent:
    """The audit row for ``actor`` doing ``action`` on ``target``, for a store to commit with its change."""
    return AuditEvent(
        at=at,
        actor_user_id=actor.user_id,
        actor_name=actor.username,
        ip=actor.ip,
        action=action,
        target=target,
        details=_plain(details),
        via_token=actor.via_token,
    )


def audit(
    platform: Platform,
    actor: Actor,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
    *,
    clock: Clock = utc_now,
) -> None:
    """Append one audit row (``action`` like ``submission.approved``, ``target`` like ``submission:12``)."""
    AuditStore(platform.records.engine).append(event(actor, action, target, details, at=now_from(clock)))


def require_administrator(platform: Platform, actor: Actor, what: str) -> None:
    """Refuse (403) anyone but an administrator; a signed-in user's refusal is audited."""
    if actor.has(Role.ADMINISTRATOR):
        return
    if not actor.is_anonymous:
        audit(platform, actor, "permission.denied", what, {"needs": Role.ADMINISTRATOR.value})
    raise PermissionDeniedError(f"Only administrators may {what}.", role=Role.ADMINISTRATOR.value)


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_events(
    platform: Platform, actor: Actor, where: AuditFilter, page: int = 1, per_page: int = PAGE_SIZE
) -> AuditPage:
    """One page of matching events, newest first (administrators only)."""
    require_administrator(platform, actor, "read the audit log")
    page = max(1, page)
    events, total = AuditStore(platform.records.engine).page(where, per_page, (page - 1) * per_page)
    return AuditPage(events, total, page, per_page)


def export_events(platform: Platform, actor: Actor, where: AuditFilter) -> Iterator[AuditEvent]:
    """Every matching event, oldest first, for a download (administrators only; the export is audited)."""
    require_administrator(platform, actor, "export the audit log")
    audit(platform, actor, "audit.exported", "audit", {"filter": where.__dict__})
    return AuditStore(platform.records.engine).stream(where)
