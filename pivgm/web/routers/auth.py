"""Signing in and out, one's own password, and who one is (``/api/me``).

This router also carries the API-token and administration routers, so the app includes it once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pivgm.accounts import sessions
from pivgm.accounts.limits import TooManyAttemptsError
from pivgm.errors import AuthenticationRequiredError, PivgmError
from pivgm.web.dependencies import PlatformDep
from pivgm.web.i18n import request_language, translate
from pivgm.web.rendering import render
from pivgm.web.routers import account, admin, tokens
from pivgm.web.security import (
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    CsrfDep,
    IdentityDep,
    clear_cookie,
    client_ip,
    csrf_token,
    login_form_token,
    login_token_matches,
    login_url,
    mask,
    request_clock,
    safe_next,
    set_cookie,
)

router = APIRouter()
router.include_router(account.router)
router.include_router(tokens.router)
router.include_router(admin.router)

LOGIN_FORM_MINUTES = 60


def _login_page(request: Request, next_url: str, username: str = "", error: str = "", status: int = 200) -> Response:
    token = login_form_token(request)
    response = render(
        request,
        "login.html",
        "/api/me",
        status_code=status,
        csrf=mask(token),
        next=next_url,
        username=username,
        error=error,
    )
    response.headers["Cache-Control"] = "no-store"
    set_cookie(request, response, PRESESSION_COOKIE, token, LOGIN_FORM_MINUTES * 60)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/", expired: str = "") -> Response:
    """The sign-in form; ``expired=1`` says the session ended, and that the form's work was kept."""
    notice = translate("session_expired", request_language(request)) if expired == "1" else ""
    return _login_page(request, safe_next(next), error=notice)


def _refusal_message(error: PivgmError, language: str) -> str:
    if isinstance(error, TooManyAttemptsError):
        minutes = str(int(error.details.get("retry_after", 900)) // 60)
        return translate("acct_login_locked", language).replace("{minutes}", minutes)
    return translate("acct_login_failed", language)


@router.post("/login", include_in_schema=False, response_model=None)
def login(
    request: Request,
    platform: PlatformDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
    sent_token: Annotated[str, Form(alias="csrf_token", max_length=200)] = "",
) -> Response:
    """Check the password; on success set the session cookie and go on (to the password form first when a
    temporary password was used). A form without the token of its pre-session cookie is refused (403)."""
    target = safe_next(next)
    if not login_token_matches(request, sent_token):
        message = translate("acct_login_form_expired", request_language(request))
        return _login_page(request, target, username, message, 403)
    try:
        cookie, _csrf = sessions.login(
            platform,
            username,
            password,
            client_ip(request),
            request.headers.get("user-agent"),
            clock=request_clock(request),
        )
    except (sessions.InvalidCredentialsError, TooManyAttemptsError) as error:
        message = _refusal_message(error, request_language(request))
        response = _login_page(request, target, username, message, error.status_code)
        if isinstance(error, TooManyAttemptsError):
            response.headers["Retry-After"] = str(error.details.get("retry_after", 900))
        return response
    view = sessions.lookup(platform, cookie, clock=request_clock(request))
    destination = "/account/password" if view is not None and view.must_change_password else target
    response = RedirectResponse(destination, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, cookie, int(sessions.LIFETIME.total_seconds()))
    clear_cookie(request, response, PRESESSION_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, platform: PlatformDep, identity: IdentityDep, _: CsrfDep) -> RedirectResponse:
    if identity.session_cookie:
        sessions.logout(platform, identity.session_cookie, identity.actor, clock=request_clock(request))
    response = RedirectResponse("/", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response


@router.get("/account/password", response_class=HTMLResponse, include_in_schema=False)
def password_page(request: Request, identity: IdentityDep) -> Response:
    if identity.session_cookie is None:
        return RedirectResponse(login_url(request), status_code=303)
    return render(request, "password.html", "/api/me", me=identity, csrf=csrf_token(request), error="", done=False)


@router.post("/account/password", include_in_schema=False)
def change_password(
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    _: CsrfDep,
    new_password: Annotated[str, Form(max_length=1024)],
    repeat_password: Annotated[str, Form(max_length=1024)],
    current_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    language = request_language(request)
    error, status = "", 200
    if new_password != repeat_password:
        error, status = translate("acct_passwords_differ", language), 422
    else:
        try:
            sessions.change_password(
                platform,
                identity.session_cookie or "",
                current_password or None,
                new_password,
                clock=request_clock(request),
                ip=client_ip(request),
            )
        except PivgmError as failure:
            error, status = failure.said_in(language), failure.status_code
    if not error:
        return RedirectResponse("/account/tokens?changed=1", status_code=303)
    return render(
        request,
        "password.html",
        "/api/me",
        status_code=status,
        me=identity,
        csrf=csrf_token(request),
        error=error,
        done=False,
    )


@router.get("/api/me", tags=["accounts"], summary="The signed-in user (session or API token) and their roles")
def me(identity: IdentityDep) -> dict[str, Any]:
    actor = identity.actor
    if actor.is_anonymous:
        raise AuthenticationRequiredError("Sign in at /login, or send an API token as `Authorization: Bearer ...`.")
    return {
        "username": actor.username,
        "display_name": identity.display_name or None,
        "via_token": actor.via_token,
        "roles": sorted(
            ({"role": g.role.value, "provider": g.provider_id} for g in actor.grants),
            key=lambda g: (g["role"], g["provider"] or ""),
        ),
        "must_change_password": identity.must_change_password,
    }
