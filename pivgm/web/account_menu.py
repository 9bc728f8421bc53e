"""The signed-in part of the header: who is signed in, where they can go, and how much waits for them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from pivgm.accounts.actor import Role
from pivgm.errors import AuthenticationRequiredError
from pivgm.web.dependencies import get_platform
from pivgm.web.security import csrf_token, identify
from pivgm.workflow.inbox import waiting_counts

REVIEW_ROLES = (Role.NATIONAL_APPROVER, Role.REGIONAL_REVIEWER)
OWN_SUBMISSIONS_ROLES = (Role.NATIONAL_SUBMITTER, Role.NATIONAL_APPROVER, Role.ADMINISTRATOR)
"""Who has submissions of their own to follow: a regional reviewer only reviews (under Review)."""


@dataclass(frozen=True)
class MenuLink:
    key: str  # message key of the label
    href: str
    count: int = 0


@dataclass(frozen=True)
class AccountMenu:
    """``None`` in templates for anonymous visitors (they get a sign-in link instead)."""

    username: str
    links: list[MenuLink]
    csrf: str | None
    waiting: int


def account_menu(request: Request) -> AccountMenu | None:
    """The menu of the signed-in person (browser sessions only), with counts from their inbox."""
    try:
        identity = identify(request)
    except AuthenticationRequiredError:
        return None
    actor = identity.actor
    if actor.user_id is None or identity.session_cookie is None:
        return None
    if identity.must_change_password:
        return AccountMenu(identity.display_name or actor.username, [], csrf_token(request), 0)
    counts = waiting_counts(get_platform(request), actor)
    links: list[MenuLink] = []
    if actor.has(Role.NATIONAL_SUBMITTER):
        links.append(MenuLink("nav_submit", "/submit"))
    if any(actor.has(role) for role in OWN_SUBMISSIONS_ROLES):
        links.append(MenuLink("nav_my_submissions", "/submissions", counts.mine))
    if any(actor.has(role) for role in REVIEW_ROLES):
        links.append(MenuLink("nav_review", "/review", counts.to_review))
    links.append(MenuLink("nav_tokens", "/account/tokens"))
    if actor.has(Role.ADMINISTRATOR):
        links.append(MenuLink("nav_admin", "/admin/users"))
    return AccountMenu(
        identity.display_name or actor.username, links, csrf_token(request), counts.mine + counts.to_review
    )
