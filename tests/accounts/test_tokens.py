"""API tokens: shown once, stored hashed, revocable, expiring, and accepted as `Authorization: Bearer`."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from pivgm.accounts import tokens, users
from pivgm.accounts.actor import Role
from pivgm.accounts.sessions import actor_for
from pivgm.errors import AuthenticationRequiredError, InvalidParameterError, NotFoundError
from pivgm.records import AccountStore
from pivgm.web.app import create_app


@pytest.fixture
def ana(platform, make_user):
    make_user("ana", ("national_approver", "HN_INM"))
    return actor_for(AccountStore(platform.records.engine).user("ana"))


def stored_tokens(platform) -> str:
    """Everything the records hold about tokens, as text."""
    with platform.records.engine.connect() as connection:
        return repr(connection.execute(text("SELECT * FROM api_tokens")).all())


def test_a_token_is_shown_once_and_only_its_hash_is_stored(platform, clock, ana):
    new = tokens.create(platform, ana, "nightly upload", clock=clock)
    assert new.token.startswith("pivgm_") and len(new.token) > 40
    assert new.info.prefix == new.token[:12]
    stored = stored_tokens(platform)
    assert new.token not in stored and hashlib.sha256(new.token.encode()).hexdigest() in stored
    assert all(not hasattr(info, "token") for info in tokens.mine(platform, ana))
    if platform.records.engine.dialect.name == "sqlite":  # not in the database files either (WAL included)
        files = sorted(platform.settings.data_dir.glob("records.sqlite*"))
        assert files and all(new.token.encode() not in path.read_bytes() for path in files)


def test_a_token_acts_as_its_owner_with_their_roles(platform, clock, ana):
    new = tokens.create(platform, ana, "script", clock=clock)
    actor = tokens.lookup(platform, new.token, "192.0.2.1", clock=clock)
    assert actor.username == "ana" and actor.via_token and actor.ip == "192.0.2.1"
    assert actor.has(Role.NATIONAL_APPROVER, "HN_INM") and not actor.has(Role.NATIONAL_APPROVER, "GT_IGM")


def test_using_a_token_records_when_it_was_last_used(platform, clock, ana):
    new = tokens.create(platform, ana, "script", clock=clock)
    assert tokens.mine(platform, ana)[0].last_used_at is None
    clock.advance(minutes=5)
    tokens.lookup(platform, new.token, clock=clock)
    assert tokens.mine(platform, ana)[0].last_used_at == clock()


def test_a_revoked_token_is_refused(platform, clock, ana):
    new = tokens.create(platform, ana, "script", clock=clock)
    revoked = tokens.revoke(platform, ana, new.info.id, clock=clock)
    assert revoked.revoked_at == clock()
    with pytest.raises(AuthenticationRequiredError, match="not valid"):
        tokens.lookup(platform, new.token, clock=clock)


def test_a_token_is_refused_once_expired(platform, clock, ana):
    new = tokens.create(platform, ana, "script", days=30, clock=clock)
    clock.advance(days=29, hours=23)
    assert tokens.lookup(platform, new.token, clock=clock).username == "ana"
    clock.advance(hours=1)
    with pytest.raises(AuthenticationRequiredError):
        tokens.lookup(platform, new.token, clock=clock)


def test_a_deactivated_users_tokens_stop_working(platform, clock, root, ana):
    new = tokens.create(platform, ana, "script", clock=clock)
    users.set_active(platform, root, "ana", False, clock=clock)
    with pytest.raises(AuthenticationRequiredError):
        tokens.lookup(platform, new.token, clock=clock)


LIFECYCLE_EVENTS = {
    "password reset": lambda platform, root, clock: users.reset_password(platform, root, "ana", clock=clock),
    "password set": lambda platform, root, clock: users.set_password(
        platform, root, "ana", "another long passphrase", clock=clock
    ),
    "deactivation then reactivation": lambda platform, root, clock: (
        users.set_active(platform, root, "ana", False, clock=clock),
        users.set_active(platform, root, "ana", True, clock=clock),
    ),
    "role removal": lambda platform, root, clock: users.revoke(
        platform, root, "ana", "national_approver", "HN_INM", clock=clock
    ),
}


@pytest.mark.parametrize("change", LIFECYCLE_EVENTS)
def test_an_administrators_change_to_an_account_revokes_its_tokens_for_good(platform, clock, root, ana, change):
    """Fails if ``_revoke_tokens`` is dropped from ``set_password``, ``set_active`` or ``remove_grant``: the
    token would keep working (or come back with the reactivated account)."""
    new = tokens.create(platform, ana, "script", days=365, clock=clock)  # the app reads the real clock
    make_bea = users.add(platform, root, "bea", "Bea", "a long enough passphrase", clock=clock)
    bea = tokens.create(platform, actor_for(make_bea.user), "other", days=365, clock=clock)
    with TestClient(create_app(platform.settings), raise_server_exceptions=False) as client:
        assert client.get("/api/me", headers={"Authorization": f"Bearer {new.token}"}).status_code == 200
        clock.advance(minutes=1)
        LIFECYCLE_EVENTS[change](platform, root, clock)
        assert client.get("/api/me", headers={"Authorization": f"Bearer {new.token}"}).status_code == 401
        assert client.get("/api/me", headers={"Authorization": f"Bearer {bea.token}"}).status_code == 200
    assert [t.revoked_at for t in tokens.mine(platform, ana)] == [clock()]


@pytest.mark.parametrize("made_up", ["pivgm_made-up", "something-else", ""])
def test_unknown_tokens_are_refused(platform, clock, made_up):
    with pytest.raises(AuthenticationRequiredError):
        tokens.lookup(platform, made_up, clock=clock)


def test_nobody_can_revoke_another_users_token_but_an_administrator(platform, clock, make_user, ana):
    new = tokens.create(platform, ana, "script", clock=clock)
    make_user("bea", ("national_approver", "HN_INM"))
    make_user("root", "administrator")
    store = AccountStore(platform.records.engine)
    with pytest.raises(NotFoundError):
        tokens.revoke(platform, actor_for(store.user("bea")), new.info.id, clock=clock)
    tokens.revoke(platform, actor_for(store.user("root")), new.info.id, clock=clock)


@pytest.mark.parametrize(("name", "days"), [("", 30), ("x" * 101, 30), ("ok", 0), ("ok", 366)])
def test_a_token_needs_a_name_and_a_lifetime_of_at_most_a_year(platform, clock, ana, name, days):
    with pytest.raises(InvalidParameterError):
        tokens.create(platform, ana, name, days, clock=clock)
