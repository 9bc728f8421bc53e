"""Password hashing with argon2id (RFC 9106 parameters from argon2-cffi), and the password policy."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from pivgm.errors import InvalidParameterError, in_both

MIN_LENGTH = 12
MAX_LENGTH = 1024

HASHER = PasswordHasher(type=Type.ID)


def check_policy(password: str) -> None:
    """Refuse passwords too short to resist guessing, or so long they make hashing a denial of service."""
    if len(password) < MIN_LENGTH:
        raise InvalidParameterError(
            f"The password has {len(password)} characters; use at least {MIN_LENGTH} "
            "(a phrase of several words is easiest to remember).",
            parameter="password",
            **in_both(
                f"La contraseña tiene {len(password)} caracteres; use al menos {MIN_LENGTH} (una frase de varias "
                "palabras es lo más fácil de recordar).",
                f"The password has {len(password)} characters; use at least {MIN_LENGTH} "
                "(a phrase of several words is easiest to remember).",
            ),
        )
    if len(password) > MAX_LENGTH:
        raise InvalidParameterError(
            f"The password is longer than {MAX_LENGTH} characters.",
            parameter="password",
            **in_both(
                f"La contraseña tiene más de {MAX_LENGTH} caracteres.",
                f"The password is longer than {MAX_LENGTH} characters.",
            ),
        )


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a spent or malformed hash matches nothing."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (rehash it at the next login)."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


@cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


def spend_time_verifying(password: str) -> None:
    """Verify against a throwaway hash, so an unknown username takes as long to refuse as a wrong password."""
    verify(_dummy_hash(), password)


def temporary_password() -> str:
    """A one-time password an administrator hands over; the user must replace it at the first login."""
    return secrets.token_urlsafe(12)


SPENT = "!spent"
"""Stored instead of a temporary password once it has been used: it matches nothing."""
