"""Administration: users and their role grants (``/admin/users``) and the audit log (``/admin/audit``, its
CSV export and JSON twin). Administrators only; every change is audited by the services."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from pivgm.accounts import users
from pivgm.accounts.audit import AuditEvent, AuditFilter, export_events, list_events
from pivgm.cells import safe
from pivgm.errors import InvalidParameterError, PivgmError
from pivgm.web.dependencies import PlatformDep
from pivgm.web.i18n import request_language
from pivgm.web.rendering import render
from pivgm.web.security import CsrfDep, IdentityDep, UserDep, csrf_token, page_gate, request_clock

router = APIRouter()
AUDIT_COLUMNS = ("id", "at", "actor", "actor_user_id", "ip", "via_token", "action", "target", "details")
NOTICES = {"added", "granted", "revoked", "activated", "deactivated", "email", "unchanged"}


def user_public(user: users.UserInfo) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "active": user.active,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "temporary_password": user.password_temporary,
        "created_at": user.created_at.isoformat(),
        "roles": [{"role": role, "provider": provider} for role, provider in user.grants],
    }


def _users_page(
    request: Request, platform: PlatformDep, identity: IdentityDep, status: int = 200, **context: object
) -> Response:
    try:
        overview = users.overview(platform, identity.actor)
    except PivgmError as error:
        return render(
            request,
            "users.html",
            "/api/users",
            status_code=error.status_code,
            refused=error.said_in(request_language(request)),
        )
    notice = request.query_params.get("done")
    response = render(
        request,
        "users.html",
        "/api/users",
        status_code=status,
        overview=overview,
        csrf=csrf_token(request),
        me=identity,
        now=request_clock(request)(),
        notice=notice if notice in NOTICES else None,
        refused=None,
        **{"error": "", "temporary": None, **context},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(request: Request, platform: PlatformDep, identity: IdentityDep) -> Response:
    return page_gate(request, identity) or _users_page(request, platform, identity)


@router.get("/api/users", tags=["accounts"], summary="Users and their roles (administrators)")
def list_users(platform: PlatformDep, actor: UserDep) -> list[dict[str, Any]]:
    return [user_public(user) for user in users.overview(platform, actor).users]


def _after(request: Request, platform: PlatformDep, identity: IdentityDep, change: Any, done: str) -> Response:
    """Run one change; redirect with a notice when it worked, show the page with the problem otherwise."""
    try:
        changed = change()
    except PivgmError as error:
        if error.status_code in (401, 403):
            raise
        return _users_page(
            request, platform, identity, error.status_code, error=error.said_in(request_language(request))
        )
    return RedirectResponse(f"/admin/users?done={done if changed is not False else 'unchanged'}", status_code=303)


@router.post("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def add_user(
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    actor: UserDep,
    _: CsrfDep,
    username: Annotated[str, Form(max_length=200)],
    display_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Add a user with a temporary password, shown once on the page that answers."""
    try:
        new = users.add(platform, actor, username, display_name, email=email, clock=request_clock(request))
    except PivgmError as error:
        if error.status_code in (401, 403):
            raise
        return _users_page(
            request, platform, identity, error.status_code, error=error.said_in(request_language(request))
        )
    return _users_page(request, platform, identity, temporary=(new.user.username, new.temporary_password))


@router.post("/admin/users/{username}/grant", include_in_schema=False)
def grant(
    username: str,
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    actor: UserDep,
    _: CsrfDep,
    role: Annotated[str, Form()],
    provider: Annotated[str, Form()] = "",
) -> Response:
    clock = request_clock(request)
    return _after(
        request,
        platform,
        identity,
        lambda: users.grant(platform, actor, username, role, provider, clock=clock),
        "granted",
    )


@router.post("/admin/users/{username}/revoke", include_in_schema=False)
def revoke(
    username: str,
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    actor: UserDep,
    _: CsrfDep,
    role: Annotated[str, Form()],
    provider: Annotated[str, Form()] = "",
) -> Response:
    clock = request_clock(request)
    return _after(
        request,
        platform,
        identity,
        lambda: users.revoke(platform, actor, username, role, provider, clock=clock),
        "revoked",
    )


@router.post("/admin/users/{username}/email", include_in_schema=False)
def set_email(
    username: str,
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    actor: UserDep,
    _: CsrfDep,
    email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    clock = request_clock(request)
    return _after(
        request, platform, identity, lambda: users.set_email(platform, actor, username, email, clock=clock), "email"
    )


@router.post("/admin/users/{username}/active", include_in_schema=False)
def set_active(
    username: str,
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    actor: UserDep,
    _: CsrfDep,
    active: Annotated[bool, Form()],
) -> Response:
    clock = request_clock(request)
    done = "activated" if active else "deactivated"
    return _after(
        request, platform, identity, lambda: users.set_active(platform, actor, username, active, clock=clock), done
    )


@router.post("/admin/users/{username}/reset-password", response_class=HTMLResponse, include_in_schema=False)
def reset_password(
    username: str, request: Request, platform: PlatformDep, identity: IdentityDep, actor: UserDep, _: CsrfDep
) -> Response:
    """A one-time temporary password, shown once on the page that answers."""
    temporary = users.reset_password(platform, actor, username, clock=request_clock(request))
    return _users_page(request, platform, identity, temporary=(username.strip().lower(), temporary))


# audit log -----------------------------------------------------------------------------------------------------


def _moment(text: str, name: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if name == "to" and len(text) == len("2026-11-25"):
            moment += timedelta(days=1)  # a day given as the end includes that day
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: 9999-12-31, or an offset beyond year 9999 in UTC
        raise InvalidParameterError(
            f"{name}={text!r} is not a date or date-time between the years 1 and 9999 (UTC); "
            "write it like 2026-11-25 or 2026-11-25T14:30.",
            parameter=name,
        ) from None


def audit_filter(action: str, actor: str, target: str, since: str, until: str) -> AuditFilter:
    return AuditFilter(action.strip(), actor.strip(), target.strip(), _moment(since, "from"), _moment(until, "to"))


Text = Annotated[str, Query(max_length=200)]


def event_public(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor_name,
        "actor_user_id": event.actor_user_id,
        "ip": event.ip,
        "via_token": event.via_token,
        "action": event.action,
        "target": event.target,
        "details": event.details,
    }


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    action: Text = "",
    actor: Text = "",
    target: Text = "",
    since: Annotated[str, Query(alias="from", max_length=40)] = "",
    until: Annotated[str, Query(alias="to", max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    gate = page_gate(request, identity)
    if gate is not None:
        return gate
    query = {"action": action, "actor": actor, "target": target, "from": since, "to": until}
    json_twin = "/api/audit?" + urlencode({k: v for k, v in query.items() if v})
    try:
        result = list_events(platform, identity.actor, audit_filter(action, actor, target, since, until), page)
    except PivgmError as error:
        return render(
            request,
            "audit.html",
            json_twin,
            status_code=error.status_code,
            refused=error.said_in(request_language(request)),
        )
    return render(request, "audit.html", json_twin, result=result, query=query, refused=None, me=identity)


@router.get("/api/audit", tags=["accounts"], summary="The audit log, newest first (administrators)")
def audit_json(
    platform: PlatformDep,
    actor: UserDep,
    action: Text = "",
    actor_name: Annotated[str, Query(alias="actor", max_length=200)] = "",
    target: Text = "",
    since: Annotated[str, Query(alias="from", max_length=40)] = "",
    until: Annotated[str, Query(alias="to", max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    result = list_events(platform, actor, audit_filter(action, actor_name, target, since, until), page, per_page)
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "events": [event_public(event) for event in result.events],
    }


def audit_csv(events: Iterator[AuditEvent]) -> Iterator[str]:
    """The export, row by row; text a spreadsheet would run as a formula is neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    for event in events:
        details = json.dumps(event.details, ensure_ascii=False, sort_keys=True)
        row = [event.id, event.at.isoformat(), event.actor_name, event.actor_user_id, event.ip, event.via_token]
        writer.writerow([safe(value) for value in (*row, event.action, event.target, details)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


@router.get("/admin/audit.csv", include_in_schema=False)
def audit_export(
    platform: PlatformDep,
    actor: UserDep,
    action: Text = "",
    actor_name: Annotated[str, Query(alias="actor", max_length=200)] = "",
    target: Text = "",
    since: Annotated[str, Query(alias="from", max_length=40)] = "",
    until: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> StreamingResponse:
    events = export_events(platform, actor, audit_filter(action, actor_name, target, since, until))
    return StreamingResponse(
        audit_csv(events),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pivgm-audit.csv"', "Cache-Control": "no-store"},
    )
