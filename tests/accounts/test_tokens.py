"""API tokens: shown once, stored hashed, revocable, expiring, and accepted as `Authorization: Bearer`."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from pivgm.accounts import tokens, users
from pivgm.accounts.actor import Role
from pivgm.accounts.sessions import actor_for
from pivgm.errors import AuthenticationRequiredError, InvalidParameterError, NotFoundError
from pivgm.records import AccountStore


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
