"""Signing in and out: sessions from a cookie, lock-out after repeated failures, a limit per address, and
every attempt in the audit log."""

from __future__ import annotations

import pytest

from pivgm.accounts import sessions, users
from pivgm.accounts.actor import Role
from pivgm.accounts.audit import AuditFilter, list_events
from pivgm.accounts.limits import TooManyAttemptsError
from pivgm.accounts.sessions import InvalidCredentialsError
from pivgm.errors import AuthenticationRequiredError, InvalidParameterError
from tests.accounts.conftest import PASSWORD

IP = "203.0.113.9"


def login(platform, clock, username, password=PASSWORD, ip=IP):
    return sessions.login(platform, username, password, ip, "pytest", clock=clock)


def actions(platform, root, target):
    page = list_events(platform, root, AuditFilter(target=target), per_page=500)
    return [event.action for event in reversed(page.events)]


def test_login_opens_a_session_that_acts_with_the_users_roles(platform, clock, make_user):
    make_user("ana", ("national_submitter", "GT_IGM"))
    cookie, csrf = login(platform, clock, "ana")
    view = sessions.lookup(platform, cookie, IP, clock=clock)
    assert view is not None
    assert view.actor.username == "ana" and view.actor.ip == IP
    assert view.actor.has(Role.NATIONAL_SUBMITTER, "GT_IGM")
    assert view.csrf_token == csrf and csrf != cookie


def test_usernames_are_not_case_sensitive(platform, clock, make_user):
    make_user("ana")
    assert login(platform, clock, "  ANA ").cookie


def test_logout_ends_the_session(platform, clock, make_user, root):
    make_user("ana")
    cookie, _ = login(platform, clock, "ana")
    actor = sessions.lookup(platform, cookie, clock=clock).actor
    sessions.logout(platform, cookie, actor, clock=clock)
    assert sessions.lookup(platform, cookie, clock=clock) is None
    assert actions(platform, root, "user:ana")[-2:] == ["auth.login", "auth.logout"]


def test_an_unknown_cookie_is_no_session(platform, clock):
    assert sessions.lookup(platform, "made-up", clock=clock) is None


def test_a_session_expires_when_idle_and_after_its_lifetime(platform, clock, make_user):
    make_user("ana")
    idle, _ = login(platform, clock, "ana")
    busy, _ = login(platform, clock, "ana")
    for _ in range(11):
        clock.advance(hours=1)
        assert sessions.lookup(platform, busy, clock=clock) is not None
    assert sessions.lookup(platform, idle, clock=clock) is None  # unused for more than 2 hours
    clock.advance(hours=1, seconds=1)
    assert sessions.lookup(platform, busy, clock=clock) is None  # 12 hours at most


def test_a_wrong_password_is_refused_with_the_same_message_as_an_unknown_user(platform, clock, make_user, root):
    make_user("ana")
    with pytest.raises(InvalidCredentialsError) as wrong:
        login(platform, clock, "ana", "not the right password")
    with pytest.raises(InvalidCredentialsError) as unknown:
        login(platform, clock, "nobody", PASSWORD)
    assert wrong.value.message == unknown.value.message == "Wrong username or password."
    assert wrong.value.status_code == 401
    assert actions(platform, root, "user:ana") == ["user.added", "auth.login-failed"]
    assert actions(platform, root, "user:nobody") == ["auth.login-failed"]


def test_a_deactivated_user_cannot_sign_in_and_loses_their_sessions(platform, clock, make_user, root):
    make_user("ana")
    cookie, _ = login(platform, clock, "ana")
    users.set_active(platform, root, "ana", False, clock=clock)
    assert sessions.lookup(platform, cookie, clock=clock) is None
    with pytest.raises(InvalidCredentialsError):
        login(platform, clock, "ana")


def test_five_failures_lock_the_account_for_fifteen_minutes_and_the_audit_log_shows_them(
    platform, clock, make_user, root
):
    make_user("ana")
    for _ in range(5):
        clock.advance(minutes=1)
        with pytest.raises(InvalidCredentialsError):
            login(platform, clock, "ana", "guess")
    with pytest.raises(TooManyAttemptsError) as refused:
        login(platform, clock, "ana")  # even the right password
    assert refused.value.status_code == 429
    assert refused.value.details["retry_after"] == 15 * 60
    clock.advance(minutes=14)
    with pytest.raises(TooManyAttemptsError):
        login(platform, clock, "ana")
    clock.advance(minutes=1)
    assert login(platform, clock, "ana").cookie  # the lock has passed
    assert actions(platform, root, "user:ana") == [
        "user.added",
        *["auth.login-failed"] * 5,
        "auth.login-refused",
        "auth.login-refused",
        "auth.login",
    ]
    page = list_events(platform, root, AuditFilter(action="auth.login-failed"))
    assert page.events[0].details == {"reason": "wrong-password", "locked_until": "2026-03-01T12:20:00+00:00"}
    assert {event.ip for event in page.events} == {IP}


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(platform, clock, make_user):
    make_user("ana")
    for _ in range(8):
        clock.advance(minutes=4)
        with pytest.raises(InvalidCredentialsError):
            login(platform, clock, "ana", "guess")
    assert login(platform, clock, "ana").cookie


def test_after_a_lock_ends_the_count_starts_again(platform, clock, make_user):
    make_user("ana")
    for _ in range(5):
        with pytest.raises(InvalidCredentialsError):
            login(platform, clock, "ana", "guess")
    clock.advance(minutes=15)
    with pytest.raises(InvalidCredentialsError):
        login(platform, clock, "ana", "guess")  # one failure, not a sixth
    assert login(platform, clock, "ana").cookie


def test_unknown_usernames_are_locked_alike_so_lock_outs_do_not_reveal_accounts(platform, clock):
    for _ in range(5):
        with pytest.raises(InvalidCredentialsError):
            login(platform, clock, "ghost", "guess")
    with pytest.raises(TooManyAttemptsError):
        login(platform, clock, "ghost", "guess")


def test_one_address_failing_on_many_usernames_is_refused_but_others_are_not(platform, clock, make_user):
    make_user("ana")
    for number in range(20):
        with pytest.raises(InvalidCredentialsError):
            login(platform, clock, f"user{number}", "guess", ip="192.0.2.66")
    with pytest.raises(TooManyAttemptsError) as refused:
        login(platform, clock, "ana", ip="192.0.2.66")
    assert refused.value.details["reason"] == "ip-limited"
    assert login(platform, clock, "ana", ip="192.0.2.67").cookie
    clock.advance(minutes=15, seconds=1)
    assert login(platform, clock, "ana", ip="192.0.2.66").cookie


def test_an_administrator_reset_gives_a_password_that_works_once_and_must_be_replaced(platform, clock, make_user, root):
    make_user("ana", "regional_reviewer")
    old_session, _ = login(platform, clock, "ana")
    temporary = users.reset_password(platform, root, "ana", clock=clock)
    assert sessions.lookup(platform, old_session, clock=clock) is None  # a reset ends every session
    with pytest.raises(InvalidCredentialsError):
        login(platform, clock, "ana")  # the old password is gone
    cookie, _ = login(platform, clock, "ana", temporary)
    view = sessions.lookup(platform, cookie, clock=clock)
    assert view.must_change_password and not view.actor.is_staff  # no role until a new password is set
    with pytest.raises(InvalidCredentialsError):
        login(platform, clock, "ana", temporary)  # spent
    sessions.change_password(platform, cookie, None, "my own new passphrase", clock=clock)
    view = sessions.lookup(platform, cookie, clock=clock)
    assert not view.must_change_password and view.actor.has(Role.REGIONAL_REVIEWER)
    assert login(platform, clock, "ana", "my own new passphrase").cookie


def test_changing_ones_password_needs_the_current_one_and_a_long_enough_new_one(platform, clock, make_user):
    make_user("ana")
    cookie, _ = login(platform, clock, "ana")
    other, _ = login(platform, clock, "ana")
    with pytest.raises(InvalidParameterError, match="current password"):
        sessions.change_password(platform, cookie, "wrong", "another long passphrase", clock=clock)
    with pytest.raises(InvalidParameterError, match="at least 12"):
        sessions.change_password(platform, cookie, PASSWORD, "short", clock=clock)
    sessions.change_password(platform, cookie, PASSWORD, "another long passphrase", clock=clock)
    assert sessions.lookup(platform, cookie, clock=clock) is not None
    assert sessions.lookup(platform, other, clock=clock) is None  # other sessions end
    with pytest.raises(AuthenticationRequiredError):
        sessions.change_password(platform, other, "another long passphrase", "yet another passphrase", clock=clock)
