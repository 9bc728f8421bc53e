"""Personal API tokens: the ``/account/tokens`` page and the JSON API. A new token is shown once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from pivgm.accounts import tokens
from pivgm.accounts.tokens import DEFAULT_DAYS, MAX_DAYS, NewToken, TokenInfo
from pivgm.errors import PivgmError
from pivgm.web.dependencies import PlatformDep, RecordId
from pivgm.web.i18n import request_language
from pivgm.web.rendering import render
from pivgm.web.security import CsrfDep, IdentityDep, UserDep, csrf_token, page_gate, request_clock

router = APIRouter()


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="What the token is for, e.g. 'nightly upload'")
    days: int = Field(default=DEFAULT_DAYS, ge=1, le=MAX_DAYS, description="Days until it expires")


def token_public(token: TokenInfo) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
    }


def _page(
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    new: NewToken | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    response = render(
        request,
        "tokens.html",
        "/api/tokens",
        status_code=status,
        me=identity,
        csrf=csrf_token(request),
        tokens=tokens.mine(platform, identity.actor),
        new=new,
        error=error,
        now=request_clock(request)(),
        changed=request.query_params.get("changed") == "1",
        max_days=MAX_DAYS,
        default_days=DEFAULT_DAYS,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account/tokens", response_class=HTMLResponse, include_in_schema=False)
def tokens_page(request: Request, platform: PlatformDep, identity: IdentityDep) -> Response:
    return page_gate(request, identity) or _page(request, platform, identity)


@router.post("/account/tokens", response_class=HTMLResponse, include_in_schema=False)
def create_token_form(
    request: Request,
    platform: PlatformDep,
    identity: IdentityDep,
    actor: UserDep,
    _: CsrfDep,
    name: Annotated[str, Form(max_length=200)],
    days: Annotated[int, Form()] = DEFAULT_DAYS,
) -> Response:
    """Create a token and show it, this once (the page is not cached and the token is not stored)."""
    try:
        new = tokens.create(platform, actor, name, days, clock=request_clock(request))
    except PivgmError as error:
        return _page(
            request, platform, identity, error=error.said_in(request_language(request)), status=error.status_code
        )
    return _page(request, platform, identity, new=new)


@router.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_token_form(
    token_id: RecordId, request: Request, platform: PlatformDep, actor: UserDep, _: CsrfDep
) -> RedirectResponse:
    tokens.revoke(platform, actor, token_id, clock=request_clock(request))
    return RedirectResponse("/account/tokens", status_code=303)


@router.get("/api/tokens", tags=["accounts"], summary="Your API tokens (without their secret)")
def list_tokens(platform: PlatformDep, actor: UserDep) -> list[dict[str, Any]]:
    return [token_public(token) for token in tokens.mine(platform, actor)]


@router.post(
    "/api/tokens", tags=["accounts"], status_code=201, summary="Create an API token; the response shows it once"
)
def create_token(
    body: TokenCreate, request: Request, platform: PlatformDep, actor: UserDep, _: CsrfDep
) -> dict[str, Any]:
    new = tokens.create(platform, actor, body.name, body.days, clock=request_clock(request))
    return {**token_public(new.info), "token": new.token}


@router.delete("/api/tokens/{token_id}", tags=["accounts"], summary="Revoke an API token")
def revoke_token(
    token_id: RecordId, request: Request, platform: PlatformDep, actor: UserDep, _: CsrfDep
) -> dict[str, Any]:
    return token_public(tokens.revoke(platform, actor, token_id, clock=request_clock(request)))
