"""Who is acting: a user with role grants, each for one provider (national roles) or for all (global roles).

Pure data, no I/O: the web layer builds an ``Actor`` from a session or an API token, the CLI builds a system
actor, and every service decides with ``Actor.has``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    REGIONAL_REVIEWER = "regional_reviewer"
    NATIONAL_SUBMITTER = "national_submitter"
    NATIONAL_APPROVER = "national_approver"


GLOBAL_ROLES = frozenset({Role.ADMINISTRATOR, Role.REGIONAL_REVIEWER})
"""Roles granted for every provider at once (``provider_id`` None); the others are granted per provider."""


@dataclass(frozen=True)
class Grant:
    role: Role
    provider_id: str | None


@dataclass(frozen=True)
class Actor:
    """A signed-in user (or the CLI, or nobody) and what they may do."""

    user_id: int | None
    username: str
    grants: frozenset[Grant]
    ip: str | None = None
    via_token: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.grants

    @property
    def is_staff(self) -> bool:
        """Holds any role at all (public users hold none)."""
        return bool(self.grants)

    def has(self, role: Role, provider_id: str | None = None) -> bool:
        """Whether the actor holds ``role`` for ``provider_id``.

        Administrators hold every role; global roles hold for every provider; a national role holds for the
        providers it was granted for (``provider_id`` None asks: for at least one provider).
        """
        for grant in self.grants:
            if grant.role is Role.ADMINISTRATOR:
                return True
            if grant.role is not role:
                continue
            if role in GLOBAL_ROLES or provider_id is None or grant.provider_id == provider_id:
                return True
        return False

    def providers(self, role: Role) -> frozenset[str]:
        """The providers ``role`` was granted for explicitly. Global roles and administrators act on every
        provider, which this set cannot list: ask ``has(role)`` first."""
        return frozenset(g.provider_id for g in self.grants if g.role is role and g.provider_id is not None)

    def with_ip(self, ip: str | None) -> Actor:
        return Actor(self.user_id, self.username, self.grants, ip, self.via_token)


ANONYMOUS = Actor(user_id=None, username="anonymous", grants=frozenset())


def system_actor(name: str) -> Actor:
    """An administrator without an account, for commands run on the server itself (``cli:<os user>``)."""
    return Actor(user_id=None, username=name, grants=frozenset({Grant(Role.ADMINISTRATOR, None)}))
