"""Personal API tokens for scripts and for exchange between governments' systems.

A token (``pivgm_<random>``) is shown once, when it is created; the records keep its SHA-256 and a short
prefix to recognise it by. Tokens expire, can be revoked, and act with their owner's roles.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from pivgm.accounts.actor import Actor, Role
from pivgm.accounts.audit import event
from pivgm.accounts.clock import Clock, now_from, utc_now
from pivgm.accounts.sessions import actor_for, digest
from pivgm.errors import AuthenticationRequiredError, InvalidParameterError, NotFoundError, in_both
from pivgm.records import AccountStore, TokenInfo

if TYPE_CHECKING:
    from pivgm.platform import Platform

__all__ = ["NewToken", "TokenInfo", "create", "lookup", "mine", "revoke"]

PREFIX = "pivgm_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    info: TokenInfo
    token: str  # the only time the plain token exists outside its owner's hands


def _signed_in(actor: Actor) -> int:
    if actor.user_id is None:
        raise AuthenticationRequiredError("Sign in (or use an API token) to manage API tokens.")
    return actor.user_id


def create(
    platform: Platform, actor: Actor, name: str, days: int = DEFAULT_DAYS, *, clock: Clock = utc_now
) -> NewToken:
    """A new token for the actor's own account, valid for ``days`` (1 to 365)."""
    user_id = _signed_in(actor)
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidParameterError(
            "Give the token a name of 1 to 100 characters saying what it is for (e.g. 'nightly upload').",
            parameter="name",
            **in_both(
                "Dé al token un nombre de 1 a 100 caracteres que diga para qué sirve (p. ej., «carga nocturna»).",
                "Give the token a name of 1 to 100 characters saying what it is for (e.g. 'nightly upload').",
            ),
        )
    if not 1 <= days <= MAX_DAYS:
        raise InvalidParameterError(
            f"A token lasts 1 to {MAX_DAYS} days, not {days}.",
            parameter="days",
            **in_both(
                f"Un token dura de 1 a {MAX_DAYS} días, no {days}.", f"A token lasts 1 to {MAX_DAYS} days, not {days}."
            ),
        )
    plain = PREFIX + secrets.token_urlsafe(32)
    now = now_from(clock)
    expires = now + timedelta(days=days)
    info = AccountStore(platform.records.engine).add_token(
        user_id,
        name,
        digest(plain),
        plain[: len(PREFIX) + 6],
        now,
        expires,
        event(actor, "token.created", f"user:{actor.username}", {"name": name, "expires_at": expires}, at=now),
    )
    return NewToken(info, plain)


def mine(platform: Platform, actor: Actor) -> list[TokenInfo]:
    """The actor's tokens, newest first, revoked and expired ones included."""
    return AccountStore(platform.records.engine).tokens(_signed_in(actor))


def revoke(platform: Platform, actor: Actor, token_id: int, *, clock: Clock = utc_now) -> TokenInfo:
    """Revoke one of the actor's tokens (administrators may revoke anyone's)."""
    _signed_in(actor)
    store = AccountStore(platform.records.engine)
    token = store.token(token_id)
    if token is None or (token.user_id != actor.user_id and not actor.has(Role.ADMINISTRATOR)):
        raise NotFoundError(
            f"You have no API token {token_id}.",
            token=token_id,
            **in_both(f"No tiene ningún token de API {token_id}.", f"You have no API token {token_id}."),
        )
    now = now_from(clock)
    store.revoke_token(
        token_id,
        now,
        event(actor, "token.revoked", f"token:{token_id}", {"name": token.name, "prefix": token.prefix}, at=now),
    )
    return store.token(token_id) or token


def lookup(platform: Platform, plain: str, ip: str | None = None, *, clock: Clock = utc_now) -> Actor:
    """The actor a bearer token acts as; a token that is unknown, revoked, expired or whose user is
    deactivated is refused (401)."""
    store = AccountStore(platform.records.engine)
    found = store.token_by_hash(digest(plain)) if plain.startswith(PREFIX) else None
    now = now_from(clock)
    if found is None or found[0].revoked_at is not None or found[0].expires_at <= now or not found[1].active:
        raise AuthenticationRequiredError(
            "The API token is not valid: it is unknown, revoked or expired. Create a new one at /account/tokens."
        )
    token, user = found
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        store.touch_token(token.id, now)
    return actor_for(user, ip, via_token=True)
