"""One's own account (``/account``): who one is, one's roles, and the e-mail address review notifications
go to, which each person sets or removes themselves (validated, audited as ``user.email-set``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pivgm.accounts import users
from pivgm.errors import InvalidParameterError
from pivgm.web.dependencies import PlatformDep
from pivgm.web.i18n import request_language, translate
from pivgm.web.rendering import render
from pivgm.web.security import CsrfDep, IdentityDep, UserDep, csrf_token, page_gate, request_clock

router = APIRouter(include_in_schema=False)
NOTICES = {"email", "email-removed", "unchanged"}


def _page(
    request: Request, platform: PlatformDep, identity: IdentityDep, typed: str | None = None, error: str = ""
) -> Response:
    account = users.own_account(platform, identity.actor)
    notice = request.query_params.get("done")
    response = render(
        request,
        "account.html",
        "/api/me",
        status_code=422 if error else 200,
        account_info=account,
        csrf=csrf_token(request),
        email=(account.email or "") if typed is None else typed,
        notice=notice if notice in NOTICES else None,
        error=error,
        provider_name=lambda provider: platform.standard.provider(provider).name.get(request_language(request)),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, platform: PlatformDep, identity: IdentityDep) -> Response:
    return page_gate(request, identity) or _page(request, platform, identity)


@router.post("/account/email")
def set_own_email(
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    actor: UserDep,
    _: CsrfDep,
    email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    try:
        changed = users.set_own_email(platform, actor, email, clock=request_clock(request))
    except InvalidParameterError as problem:
        if problem.details.get("parameter") != "email":
            raise
        message = translate("acct_email_invalid", request_language(request)).replace("{value}", email.strip())
        return _page(request, platform, identity, email, message)
    done = ("email" if email.strip() else "email-removed") if changed else "unchanged"
    return RedirectResponse(f"/account?done={done}&lang={request_language(request)}", status_code=303)
