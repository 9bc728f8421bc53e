"""What a role allows: administrators everything, global roles every provider, national roles their own."""

from __future__ import annotations

import pytest

from pivgm.accounts.actor import ANONYMOUS, Actor, Grant, Role, system_actor

ADMIN = Grant(Role.ADMINISTRATOR, None)
REVIEWER = Grant(Role.REGIONAL_REVIEWER, None)
GT_SUBMITTER = Grant(Role.NATIONAL_SUBMITTER, "GT_IGM")
MX_APPROVER = Grant(Role.NATIONAL_APPROVER, "MX_UPM")


def actor(*grants: Grant) -> Actor:
    return Actor(user_id=1, username="someone", grants=frozenset(grants))


@pytest.mark.parametrize(
    ("grants", "role", "provider", "expected"),
    [
        # administrators hold every role, for every provider
        ((ADMIN,), Role.NATIONAL_SUBMITTER, "GT_IGM", True),
        ((ADMIN,), Role.NATIONAL_APPROVER, "MX_UPM", True),
        ((ADMIN,), Role.REGIONAL_REVIEWER, None, True),
        # a regional reviewer reviews every provider, and is nothing else
        ((REVIEWER,), Role.REGIONAL_REVIEWER, "GT_IGM", True),
        ((REVIEWER,), Role.REGIONAL_REVIEWER, None, True),
        ((REVIEWER,), Role.NATIONAL_SUBMITTER, "GT_IGM", False),
        ((REVIEWER,), Role.ADMINISTRATOR, None, False),
        # a national role holds for its own provider only
        ((GT_SUBMITTER,), Role.NATIONAL_SUBMITTER, "GT_IGM", True),
        ((GT_SUBMITTER,), Role.NATIONAL_SUBMITTER, "MX_UPM", False),
        ((GT_SUBMITTER,), Role.NATIONAL_SUBMITTER, None, True),  # "for some provider"
        ((GT_SUBMITTER,), Role.NATIONAL_APPROVER, "GT_IGM", False),
        ((GT_SUBMITTER,), Role.REGIONAL_REVIEWER, None, False),
        # roles for several providers combine
        ((GT_SUBMITTER, MX_APPROVER), Role.NATIONAL_APPROVER, "MX_UPM", True),
        ((GT_SUBMITTER, MX_APPROVER), Role.NATIONAL_APPROVER, "GT_IGM", False),
        ((GT_SUBMITTER, MX_APPROVER), Role.NATIONAL_SUBMITTER, "MX_UPM", False),
        # nobody holds nothing
        ((), Role.NATIONAL_SUBMITTER, "GT_IGM", False),
        ((), Role.ADMINISTRATOR, None, False),
    ],
)
def test_has_decides_by_role_and_provider(grants, role, provider, expected):
    assert actor(*grants).has(role, provider) is expected


def test_providers_lists_the_providers_a_national_role_was_granted_for():
    subject = actor(GT_SUBMITTER, Grant(Role.NATIONAL_SUBMITTER, "HN_INM"), MX_APPROVER)
    assert subject.providers(Role.NATIONAL_SUBMITTER) == {"GT_IGM", "HN_INM"}
    assert subject.providers(Role.NATIONAL_APPROVER) == {"MX_UPM"}
    assert actor(REVIEWER).providers(Role.REGIONAL_REVIEWER) == frozenset()


def test_the_anonymous_actor_has_no_role_and_a_signed_in_user_without_roles_is_not_anonymous():
    assert ANONYMOUS.is_anonymous and not ANONYMOUS.is_staff
    nobody = actor()
    assert not nobody.is_anonymous and not nobody.is_staff
    assert actor(GT_SUBMITTER).is_staff


def test_the_command_line_acts_as_an_administrator_without_an_account():
    cli = system_actor("cli:maria")
    assert cli.has(Role.ADMINISTRATOR) and not cli.is_anonymous and cli.user_id is None
