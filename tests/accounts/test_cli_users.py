"""`pivgm users ...` run as an operator runs it: a real process on a data directory; every change audited
under the operator's name."""

from __future__ import annotations

import subprocess

import pytest

from pivgm.accounts import sessions
from pivgm.accounts.actor import system_actor
from pivgm.accounts.audit import AuditFilter, list_events
from pivgm.platform import Platform
from pivgm.settings import Settings
from tests.accounts.conftest import PASSWORD
from tests.backends import settings_for
from tests.executable import run_pivgm


def pivgm(settings: Settings, *arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_pivgm(settings, *arguments, stdin=stdin, env={"LOGNAME": "maria", "USER": "maria"}, timeout=120)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of one initialised platform the module's commands act on."""
    settings = settings_for(tmp_path_factory.mktemp("users-cli"))
    assert pivgm(settings, "init").returncode == 0
    return settings


def open_platform(settings: Settings) -> Platform:
    return Platform.open(settings)


def test_add_grant_list_revoke_and_reset_a_user_end_to_end(settings):
    added = pivgm(settings, "users", "add", "ana", "--name", "Ana López", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert pivgm(settings, "users", "grant", "ana", "national_submitter", "--provider", "GT_IGM").returncode == 0
    assert pivgm(settings, "users", "grant", "ana", "national-approver", "--provider", "gt_igm").returncode == 0
    listing = pivgm(settings, "users", "list")
    assert "Ana López" in listing.stdout
    assert "national_submitter:GT_IGM, national_approver:GT_IGM" in listing.stdout
    assert pivgm(settings, "users", "revoke", "ana", "national_approver", "--provider", "GT_IGM").returncode == 0
    assert "national_approver" not in pivgm(settings, "users", "list").stdout

    platform = open_platform(settings)
    assert sessions.login(platform, "ana", PASSWORD, None, None).cookie
    reset = pivgm(settings, "users", "reset-password", "ana")
    assert reset.returncode == 0, reset.stderr
    temporary = reset.stdout.strip().splitlines()[-1]
    cookie, _ = sessions.login(platform, "ana", temporary, None, None)
    assert sessions.lookup(platform, cookie).must_change_password

    events = list_events(platform, system_actor("test"), AuditFilter(actor="cli:"), per_page=100).events
    assert {e.actor_name for e in events} == {"cli:maria"}
    assert [e.action for e in reversed(events)] == [
        "user.added",
        "grant.added",
        "grant.added",
        "grant.revoked",
        "user.password-reset",
    ]


def test_a_user_added_without_a_password_gets_a_temporary_one_printed_once(settings):
    added = pivgm(settings, "users", "add", "bea")
    assert added.returncode == 0, added.stderr
    temporary = added.stdout.strip().splitlines()[-1]
    assert len(temporary) >= 12 and " " not in temporary
    assert sessions.login(open_platform(settings), "bea", temporary, None, None).cookie


@pytest.mark.parametrize(
    ("arguments", "exit_code", "says"),
    [
        (("users", "grant", "nobody", "administrator"), 3, "no user 'nobody'"),
        (("users", "grant", "bea-or-ana", "emperor"), 2, "Unknown role 'emperor'"),
        (("users", "add", "x"), 2, "Username 'x'"),
        (("users", "add", "weak", "--password-stdin"), 2, "at least 12"),
    ],
)
def test_mistakes_are_explained_with_a_nonzero_exit(settings, arguments, exit_code, says):
    result = pivgm(settings, *arguments, stdin="short\n")
    assert result.returncode == exit_code, result.stderr
    assert says in " ".join(result.stderr.split())


def test_a_national_role_needs_a_known_provider(settings):
    assert pivgm(settings, "users", "add", "carla", "--password-stdin", stdin=PASSWORD).returncode == 0
    missing = pivgm(settings, "users", "grant", "carla", "national_submitter")
    assert missing.returncode == 2 and "for one provider" in missing.stderr
    unknown = pivgm(settings, "users", "grant", "carla", "national_submitter", "--provider", "ZZ_NONE")
    assert unknown.returncode == 3 and "Unknown provider" in unknown.stderr


def test_the_same_username_cannot_be_added_twice(settings):
    assert pivgm(settings, "users", "add", "dora", "--password-stdin", stdin=PASSWORD).returncode == 0
    again = pivgm(settings, "users", "add", "DORA", "--password-stdin", stdin=PASSWORD)
    assert again.returncode == 2 and "taken" in again.stderr
