"""Who is asking, and is the form theirs: FastAPI dependencies for sessions, API tokens and CSRF.

A browser signs in and carries a session cookie (HttpOnly, SameSite=Lax, Secure over https or when
``PIVGM_SECURE_COOKIES`` says so); every state-changing form it posts must carry the session's CSRF token.
Scripts send ``Authorization: Bearer pivgm_...`` instead, and need no CSRF token (no cookie is involved).
The sign-in form itself is protected by a pre-session cookie holding its token (double submit).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from pivgm.accounts import sessions, tokens
from pivgm.accounts.actor import ANONYMOUS, Actor
from pivgm.accounts.audit import audit
from pivgm.accounts.clock import Clock, utc_now
from pivgm.errors import AuthenticationRequiredError, PermissionDeniedError
from pivgm.web.dependencies import get_platform

SESSION_COOKIE = "pivgm_session"
PRESESSION_COOKIE = "pivgm_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfError(PermissionDeniedError):
    code = "csrf-token-invalid"


@dataclass(frozen=True)
class Identity:
    """The actor of a request and, for a browser session, its cookie and CSRF token."""

    actor: Actor
    session_cookie: str | None = None
    csrf_token: str | None = None
    display_name: str = ""
    must_change_password: bool = False


def request_clock(request: Request) -> Clock:
    """The app's clock (``app.state.clock``, which tests may set), or the system's."""
    clock: Clock = getattr(request.app.state, "clock", None) or utc_now
    return clock


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _identify(request: Request) -> Identity:
    platform, ip, clock = get_platform(request), client_ip(request), request_clock(request)
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return Identity(tokens.lookup(platform, credentials.strip(), ip, clock=clock))
    cookie = request.cookies.get(SESSION_COOKIE)
    view = sessions.lookup(platform, cookie, ip, clock=clock) if cookie else None
    if view is None:
        return Identity(ANONYMOUS.with_ip(ip))
    return Identity(view.actor, cookie, view.csrf_token, view.display_name, view.must_change_password)


def identify(request: Request) -> Identity:
    """Who sent ``request`` (worked out once per request). An invalid bearer token is refused (401); an
    unknown, expired or revoked session cookie is simply anonymous."""
    identity: Identity | None = getattr(request.state, "pivgm_identity", None)
    if identity is None:
        identity = _identify(request)
        request.state.pivgm_identity = identity
    return identity


IdentityDep = Annotated[Identity, Depends(identify)]


def current_actor(identity: IdentityDep) -> Actor:
    return identity.actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def require_user(identity: IdentityDep) -> Actor:
    """The signed-in actor; 401 for anonymous requests, 403 until a temporary password has been replaced."""
    if identity.actor.is_anonymous:
        raise AuthenticationRequiredError(
            "Sign in at /login, or send an API token as `Authorization: Bearer pivgm_...`."
        )
    if identity.must_change_password:
        raise PermissionDeniedError("Choose a new password at /account/password first.")
    return identity.actor


UserDep = Annotated[Actor, Depends(require_user)]


async def _sent_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0].strip().lower() in FORM_TYPES:
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def mask(token: str) -> str:
    """``token`` hidden under a fresh random pad, so that pages never carry the same bytes twice: compressed
    responses then cannot leak the token by their length (BREACH)."""
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True))).decode()


def unmask(sent: str) -> str:
    """The token behind a masked one (a token sent as is is also accepted); "" when it cannot be read."""
    try:
        data = base64.urlsafe_b64decode(sent.encode())
    except (ValueError, UnicodeEncodeError):
        return ""
    if len(data) < 2 or len(data) % 2:
        return sent
    pad, hidden = data[: len(data) // 2], data[len(data) // 2 :]
    try:
        return bytes(a ^ b for a, b in zip(pad, hidden, strict=True)).decode()
    except UnicodeDecodeError:
        return sent


def _same(sent: str, expected: str | None) -> bool:
    if not sent or expected is None:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode()) or hmac.compare_digest(
        unmask(sent).encode(), expected.encode()
    )


async def require_csrf(request: Request, identity: IdentityDep) -> None:
    """Refuse (403) a browser's state-changing request unless it carries its own session's CSRF token, in the
    form field ``csrf_token`` or the ``X-CSRF-Token`` header. API-token requests are exempt."""
    if identity.actor.via_token:
        return
    if identity.session_cookie is None:
        raise AuthenticationRequiredError("Sign in first (at /login), then submit the form again.")
    if not _same(await _sent_token(request), identity.csrf_token):
        platform, path = get_platform(request), request.url.path
        await run_in_threadpool(
            audit, platform, identity.actor, "auth.csrf-refused", path, clock=request_clock(request)
        )
        raise CsrfError(
            "This form's security token is missing or does not belong to your session, so it was not accepted "
            "(it may come from another site, or from a page opened before you signed in again). "
            "Reload the page and submit it again.",
            field=CSRF_FIELD,
        )


CsrfDep = Annotated[None, Depends(require_csrf)]


def csrf_token(request: Request) -> str | None:
    """The token templates put in their forms (masked afresh for each page): the session's, or the sign-in
    form's before a session."""
    try:
        identity = identify(request)
    except AuthenticationRequiredError:  # an invalid bearer token: no form to protect
        return None
    token: str | None = identity.csrf_token or getattr(request.state, "pivgm_login_token", None)
    return mask(token) if token else None


def login_form_token(request: Request) -> str:
    """The sign-in form's token: the pre-session cookie's value, or a new one (the login page sets the cookie)."""
    token = request.cookies.get(PRESESSION_COOKIE) or secrets.token_urlsafe(32)
    request.state.pivgm_login_token = token
    return token


def login_token_matches(request: Request, sent: str) -> bool:
    """Whether the sign-in form came back with the token of the pre-session cookie it was served with."""
    return _same(sent, request.cookies.get(PRESESSION_COOKIE))


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https" or get_platform(request).settings.secure_cookies


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=secure_cookies(request), httponly=True, samesite="lax"
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=secure_cookies(request), httponly=True, samesite="lax")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host`` or ``https://...``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_url(request: Request) -> str:
    """The sign-in page, coming back to this page afterwards (for pages that need a signed-in user)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(here, safe='')}"


def page_gate(request: Request, identity: Identity) -> Response | None:
    """For HTML pages that need a signed-in user: where to send the browser instead, if anywhere."""
    if identity.actor.user_id is None:
        return RedirectResponse(login_url(request), status_code=303)
    if identity.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    return None
