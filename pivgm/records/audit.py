"""The audit log: one append-only table (the database refuses updates and deletes, see migration 0003)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Engine, Index, Integer, Select, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from pivgm.records.tables import Base
from pivgm.records.times import _aware


class AuditEventRecord(Base):
    """Who did what, when, from where; never changed once written."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    via_token: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_action", "action", "at"),
        Index("ix_audit_events_actor", "actor_name", "at"),
    )


@dataclass(frozen=True)
class AuditEvent:
    """An audit row, new (``id`` 0) or stored."""

    at: datetime
    actor_user_id: int | None
    actor_name: str
    ip: str | None
    action: str
    target: str
    details: dict[str, Any] = field(default_factory=dict)
    via_token: bool = False
    id: int = 0


@dataclass(frozen=True)
class AuditFilter:
    """Which events to list: ``action`` and ``actor`` match a prefix, ``target`` a substring."""

    action: str = ""
    actor: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None


def add_event(session: Session, event: AuditEvent) -> None:
    """Append ``event`` within the caller's transaction (so a change and its audit row commit together)."""
    session.add(
        AuditEventRecord(
            at=event.at,
            actor_user_id=event.actor_user_id,
            actor_name=event.actor_name[:128],
            ip=event.ip[:64] if event.ip else None,
            action=event.action[:64],
            target=event.target,
            details=event.details,
            via_token=event.via_token,
        )
    )


def _event(record: AuditEventRecord) -> AuditEvent:
    return AuditEvent(
        at=_aware(record.at),
        actor_user_id=record.actor_user_id,
        actor_name=record.actor_name,
        ip=record.ip,
        action=record.action,
        target=record.target,
        details=dict(record.details or {}),
        via_token=record.via_token,
        id=record.id,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query: Select[Any], where: AuditFilter) -> Select[Any]:
    if where.action:
        query = query.where(AuditEventRecord.action.like(_escape_like(where.action) + "%", escape="\\"))
    if where.actor:
        query = query.where(AuditEventRecord.actor_name.like(_escape_like(where.actor) + "%", escape="\\"))
    if where.target:
        query = query.where(AuditEventRecord.target.like("%" + _escape_like(where.target) + "%", escape="\\"))
    if where.since is not None:
        query = query.where(AuditEventRecord.at >= where.since)
    if where.until is not None:
        query = query.where(AuditEventRecord.at < where.until)
    return query


class AuditStore:
    """Append and read audit events; every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, event: AuditEvent) -> None:
        with Session(self.engine) as session, session.begin():
            add_event(session, event)

    def page(self, where: AuditFilter, limit: int, offset: int) -> tuple[list[AuditEvent], int]:
        """Newest first: ``limit`` events from ``offset``, and how many match in all."""
        with Session(self.engine) as session:
            total = session.scalar(_filtered(select(func.count(AuditEventRecord.id)), where)) or 0
            query = _filtered(select(AuditEventRecord), where)
            rows = session.scalars(
                query.order_by(AuditEventRecord.at.desc(), AuditEventRecord.id.desc()).limit(limit).offset(offset)
            )
            return [_event(row) for row in rows], total

    def stream(self, where: AuditFilter, batch: int = 1000) -> Iterator[AuditEvent]:
        """Every matching event, oldest first, read in batches (for exports of any size)."""
        after = 0
        while True:
            with Session(self.engine) as session:
                query = _filtered(select(AuditEventRecord), where).where(AuditEventRecord.id > after)
                rows = [_event(r) for r in session.scalars(query.order_by(AuditEventRecord.id).limit(batch))]
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1].id
