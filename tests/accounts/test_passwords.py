"""Passwords are stored as argon2id hashes, checked against a policy, and rehashed when parameters change."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from pivgm.accounts import passwords, sessions, users
from pivgm.accounts.audit import event
from pivgm.errors import InvalidParameterError
from pivgm.records import AccountStore
from tests.accounts.conftest import PASSWORD


def test_hashes_are_argon2id_and_verify_only_the_right_password():
    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, PASSWORD)
    assert not passwords.verify(stored, PASSWORD + "!")


def test_malformed_or_spent_hashes_match_nothing():
    assert not passwords.verify(passwords.SPENT, passwords.SPENT)
    assert not passwords.verify("", "")


@pytest.mark.parametrize("password", ["", "short", "x" * 11, "y" * 1025])
def test_passwords_too_short_or_too_long_are_refused_with_the_rule(password):
    with pytest.raises(InvalidParameterError, match="characters"):
        passwords.check_policy(password)


def test_users_are_stored_with_an_argon2id_hash_never_the_password(platform, make_user):
    make_user("ana")
    stored = AccountStore(platform.records.engine).user("ana").password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_login(platform, clock, make_user, root):
    make_user("ana")
    store = AccountStore(platform.records.engine)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(PASSWORD)
    store.set_password(
        store.user("ana").id, weak, False, clock(), event(root, "user.password-set", "user:ana", at=clock())
    )
    assert passwords.needs_rehash(weak)
    sessions.login(platform, "ana", PASSWORD, None, None, clock=clock)
    renewed = store.user("ana").password_hash
    assert renewed != weak and not passwords.needs_rehash(renewed) and passwords.verify(renewed, PASSWORD)


def test_a_user_added_without_a_password_gets_a_temporary_one_shown_once(platform, root):
    new = users.add(platform, root, "bea")
    assert new.temporary_password and len(new.temporary_password) >= passwords.MIN_LENGTH
    assert new.user.password_temporary and new.temporary_password not in new.user.password_hash
