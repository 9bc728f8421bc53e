"""The audit log is append-only in the database itself, takes any details, and only administrators read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from pivgm.accounts.actor import ANONYMOUS, Actor, Grant, Role
from pivgm.accounts.audit import AuditFilter, audit, export_events, list_events
from pivgm.errors import PermissionDeniedError

GT_SUBMITTER = Actor(7, "gt-submitter", frozenset({Grant(Role.NATIONAL_SUBMITTER, "GT_IGM")}), "192.0.2.5")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'nothing-happened'",
        "UPDATE audit_events SET details = '{}' WHERE id = 1",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE id = 1",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(platform, root, statement):
    audit(platform, root, "user.added", "user:ana")
    with pytest.raises(DatabaseError, match="append-only"), platform.records.engine.begin() as connection:
        connection.execute(text(statement))
    page = list_events(platform, root, AuditFilter())
    assert [(e.action, e.target) for e in page.events] == [("user.added", "user:ana")]


def test_an_event_records_who_when_from_where_what_and_on_what(platform, root, clock):
    audit(platform, GT_SUBMITTER, "submission.submitted", "submission:3", {"rows": 120}, clock=clock)
    (event,) = list_events(platform, root, AuditFilter()).events
    assert (event.at, event.actor_name, event.actor_user_id, event.ip) == (clock(), "gt-submitter", 7, "192.0.2.5")
    assert (event.action, event.target, event.details, event.via_token) == (
        "submission.submitted",
        "submission:3",
        {"rows": 120},
        False,
    )


def test_details_that_are_not_json_are_written_as_text_and_never_fail_the_write(platform, root):
    circular: dict[str, object] = {}
    circular["self"] = circular
    audit(platform, root, "a.sets", "x", {"values": {1, 2}, "when": timedelta(hours=1), "object": object()})
    audit(platform, root, "a.circle", "x", circular)
    audit(platform, root, "a.none", "x", None)
    details = {e.action: e.details for e in list_events(platform, root, AuditFilter(action="a.")).events}
    assert details["a.sets"]["when"] == "1:00:00" and details["a.sets"]["values"] == "{1, 2}"
    assert "unserialisable" in details["a.circle"]
    assert details["a.none"] == {}


def test_events_are_filtered_and_paged_newest_first(platform, root, clock):
    for number in range(7):
        clock.advance(minutes=1)
        audit(platform, root, "grant.added" if number % 2 else "user.added", f"user:u{number}", clock=clock)
    page = list_events(platform, root, AuditFilter(action="grant."), page=1, per_page=2)
    assert (page.total, page.pages, [e.target for e in page.events]) == (3, 2, ["user:u5", "user:u3"])
    assert [e.target for e in list_events(platform, root, AuditFilter(action="grant."), 2, 2).events] == ["user:u1"]
    since = clock() - timedelta(minutes=1, seconds=30)
    assert [e.target for e in list_events(platform, root, AuditFilter(since=since)).events] == ["user:u6", "user:u5"]
    assert list_events(platform, root, AuditFilter(target="u4")).total == 1
    assert list_events(platform, root, AuditFilter(action="%")).total == 0  # wildcards are literal


@pytest.mark.parametrize("reader", [GT_SUBMITTER, ANONYMOUS])
def test_only_administrators_read_or_export_the_log_and_a_users_attempt_is_audited(platform, root, reader):
    with pytest.raises(PermissionDeniedError):
        list_events(platform, reader, AuditFilter())
    with pytest.raises(PermissionDeniedError):
        export_events(platform, reader, AuditFilter())
    refusals = list_events(platform, root, AuditFilter(action="permission.denied")).events
    assert [e.actor_name for e in refusals] == ([] if reader.is_anonymous else ["gt-submitter"] * 2)


def test_an_export_is_itself_audited(platform, root):
    audit(platform, root, "user.added", "user:ana")
    exported = list(export_events(platform, root, AuditFilter()))
    assert [e.action for e in exported] == ["user.added", "audit.exported"]
