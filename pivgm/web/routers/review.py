"""Review of submissions: transitions over the JSON API, and the pages where people do their part."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from pivgm.errors import InvalidParameterError
from pivgm.ingest.report import ValidationReport
from pivgm.web.dependencies import PlatformDep, RecordId
from pivgm.web.i18n import messages, request_language
from pivgm.web.rendering import render
from pivgm.web.review_charts import totals_spec
from pivgm.web.security import CsrfDep, UserDep, csrf_token
from pivgm.workflow.changes import changes
from pivgm.workflow.inbox import inbox, submission_view
from pivgm.workflow.transitions import is_own, take_step

router = APIRouter(prefix="/api/submissions", tags=["review"])
pages = APIRouter(include_in_schema=False)


class TransitionCreate(BaseModel):
    action: str = Field(
        description=(
            "submit, approve-national, approve-regional, publish, reject, withdraw, or cancel (a "
            "publication still under embargo)"
        ),
    )
    comment: str = Field(default="", max_length=4000)
    release_at: datetime | None = Field(default=None, description="Embargo: publish at this time (with time zone)")


def _parse_time(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # OverflowError: an offset that takes it beyond year 9999 in UTC
        raise InvalidParameterError(
            f"{text!r} is not a date and time; write e.g. 2026-12-01T12:00.", parameter="release_at"
        ) from None


@router.get("", summary="Submissions you may see, newest first")
def list_submissions(platform: PlatformDep, actor: UserDep, state: str | None = None) -> dict[str, Any]:
    items = inbox(platform, actor, [state] if state else None)
    return {"submissions": [item.to_dict() for item in items]}


@router.post("/{submission_id}/transitions", summary="Take a review step on a submission", status_code=200)
def create_transition(
    submission_id: RecordId,
    body: TransitionCreate,
    platform: PlatformDep,
    actor: UserDep,
    _: CsrfDep,
    afterwards: BackgroundTasks,
) -> dict[str, Any]:
    release_at = _parse_time(body.release_at.isoformat()) if body.release_at else None  # in UTC, or a 422
    changed = take_step(
        platform, actor, submission_id, body.action, body.comment, release_at, later=afterwards.add_task
    )
    return submission_view(platform, actor, changed.id).to_dict()


@router.get("/{submission_id}/history", summary="The review history of a submission")
def history(submission_id: RecordId, platform: PlatformDep, actor: UserDep) -> dict[str, Any]:
    view = submission_view(platform, actor, submission_id)
    return {"submission": submission_id, "events": view.to_dict()["history"]}


@pages.get("/submissions", response_class=HTMLResponse)
def submissions_page(request: Request, platform: PlatformDep, actor: UserDep) -> HTMLResponse:
    return render(request, "submissions.html", "/api/submissions", items=inbox(platform, actor), actor=actor)


@pages.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, platform: PlatformDep, actor: UserDep) -> HTMLResponse:
    items = [item for item in inbox(platform, actor) if item.actions]
    return render(request, "review.html", "/api/submissions", items=items, actor=actor)


@pages.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(submission_id: RecordId, request: Request, platform: PlatformDep, actor: UserDep) -> HTMLResponse:
    view = submission_view(platform, actor, submission_id)
    report = ValidationReport.from_dict(view.submission.report)
    found = changes(platform, view.submission)
    language = request_language(request)
    sent = [e for e in view.history if e.action == "submit" and e.comment]
    return render(
        request,
        "submission.html",
        f"/api/submissions/{submission_id}",
        view=view,
        report=report,
        actor=actor,
        csrf=csrf_token(request),
        changes=found,
        chart_spec=totals_spec(found, language) if found.totals else None,
        provider_comment=sent[-1].comment if sent else "",
        own=is_own(platform, actor, view.submission),
        rule_key=lambda rule: f"rule_{rule}" if f"rule_{rule}" in messages() else "rule_other",
    )


@pages.post("/submissions/{submission_id}/transitions")
def submission_form(
    request: Request,
    submission_id: RecordId,
    platform: PlatformDep,
    actor: UserDep,
    _: CsrfDep,
    afterwards: BackgroundTasks,
    action: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
    release_at: Annotated[str, Form()] = "",
) -> RedirectResponse:
    take_step(platform, actor, submission_id, action, comment, _parse_time(release_at), later=afterwards.add_task)
    return RedirectResponse(f"/submissions/{submission_id}?lang={request_language(request)}", status_code=303)
