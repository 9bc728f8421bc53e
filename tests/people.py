"""People for tests: real accounts with real grants and real API tokens, made through the accounts service."""

from __future__ import annotations

from dataclasses import dataclass

from pivgm.accounts import tokens, users
from pivgm.accounts.actor import Actor, Grant, Role, system_actor
from pivgm.platform import Platform

ADMIN = system_actor("cli:test")
PASSWORD = "correct horse battery staple 42"


@dataclass(frozen=True)
class Person:
    actor: Actor
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def person(platform: Platform, username: str, *grants: tuple[Role, str | None]) -> Person:
    """A user holding ``grants`` ((role, provider or None) pairs), with an API token."""
    created = users.add(platform, ADMIN, username, password=PASSWORD)
    for role, provider in grants:
        users.grant(platform, ADMIN, username, role.value, provider)
    actor = Actor(created.user.id, created.user.username, frozenset(Grant(r, p) for r, p in grants))
    return Person(actor, tokens.create(platform, actor, "tests").token)
