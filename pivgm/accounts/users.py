"""User administration: add, list, grant and revoke roles, deactivate, reset a password. Administrators only;
every change is audited in the same transaction as the change itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pivgm.accounts import passwords
from pivgm.accounts.actor import GLOBAL_ROLES, Actor, Role
from pivgm.accounts.audit import event, require_administrator
from pivgm.accounts.clock import Clock, now_from, utc_now
from pivgm.accounts.sessions import actor_for
from pivgm.errors import (
    AuthenticationRequiredError,
    InvalidParameterError,
    NotFoundError,
    PermissionDeniedError,
    PivgmError,
    in_both,
)
from pivgm.records import AccountStore, UserInfo

if TYPE_CHECKING:
    from pivgm.platform import Platform

__all__ = [
    "NewUser",
    "UserInfo",
    "UsersOverview",
    "add",
    "grant",
    "overview",
    "own_account",
    "reset_password",
    "revoke",
    "set_email",
    "set_own_email",
]

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


class UserExistsError(PivgmError):
    status_code = 409
    exit_code = 2
    code = "user-exists"


@dataclass(frozen=True)
class NewUser:
    user: UserInfo
    temporary_password: str | None  # shown once, when the administrator did not set a password


@dataclass(frozen=True)
class UsersOverview:
    """What the user administration page shows: every user with grants, and what can be granted."""

    users: list[UserInfo]
    roles: list[Role]
    providers: list[str]


def _store(platform: Platform) -> AccountStore:
    return AccountStore(platform.records.engine)


def _user(store: AccountStore, username: str) -> UserInfo:
    user = store.user(username.strip().lower())
    if user is None:
        raise NotFoundError(
            f"There is no user {username!r}; `pivgm users list` shows them.",
            user=username,
            **in_both(
                f"No hay ningún usuario {username!r}; `pivgm users list` los muestra.",
                f"There is no user {username!r}; `pivgm users list` shows them.",
            ),
        )
    return user


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower().replace("-", "_"))
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidParameterError(
            f"Unknown role {text!r}; roles are {roles}.",
            parameter="role",
            **in_both(
                f"Rol desconocido {text!r}; los roles son {roles}.", f"Unknown role {text!r}; roles are {roles}."
            ),
        ) from None


def _scope(store: AccountStore, role: Role, provider_id: str | None) -> str | None:
    """The provider a grant of ``role`` is for: none for global roles, an existing provider for the others."""
    provider_id = (provider_id or "").strip().upper() or None
    if role in GLOBAL_ROLES:
        if provider_id:
            raise InvalidParameterError(
                f"{role.value} is granted for every provider at once; leave the provider out.",
                parameter="provider",
                **in_both(
                    f"{role.value} se otorga para todos los proveedores a la vez; deje el proveedor en blanco.",
                    f"{role.value} is granted for every provider at once; leave the provider out.",
                ),
            )
        return None
    if provider_id is None:
        raise InvalidParameterError(
            f"{role.value} is granted for one provider: name it.",
            parameter="provider",
            **in_both(
                f"{role.value} se otorga para un proveedor: elíjalo.",
                f"{role.value} is granted for one provider: name it.",
            ),
        )
    if provider_id not in store.provider_ids():
        known = ", ".join(store.provider_ids())
        raise NotFoundError(
            f"Unknown provider {provider_id!r}; providers are {known}.",
            parameter="provider",
            **in_both(
                f"Proveedor desconocido {provider_id!r}; los proveedores son {known}.",
                f"Unknown provider {provider_id!r}; providers are {known}.",
            ),
        )
    return provider_id


def parse_email(text: str | None) -> str | None:
    """The address review notifications go to (domain lowercased), or None when ``text`` is blank."""
    address = (text or "").strip()
    if not address:
        return None
    local, _, domain = address.rpartition("@")
    address = f"{local}@{domain.lower()}"
    if len(address) > 254 or not EMAIL.match(address):
        raise InvalidParameterError(
            f"E-mail address {text!r} is not valid; write it like maria@migracion.gob.hn (or leave it empty).",
            parameter="email",
            **in_both(
                f"La dirección de correo {text!r} no es válida; escríbala como maria@migracion.gob.hn (o déjela "
                "en blanco).",
                f"E-mail address {text!r} is not valid; write it like maria@migracion.gob.hn (or leave it empty).",
            ),
        )
    return address


def add(
    platform: Platform,
    actor: Actor,
    username: str,
    display_name: str = "",
    password: str | None = None,
    *,
    email: str | None = None,
    clock: Clock = utc_now,
) -> NewUser:
    """A new active user with no role. Without ``password`` a temporary one is made, to be replaced at the
    first sign-in."""
    require_administrator(platform, actor, "add users")
    address = parse_email(email)
    name = username.strip().lower()
    if not USERNAME.match(name):
        rule = "use 2 to 64 lowercase letters, digits and . _ @ - (starting with a letter or digit)"
        raise InvalidParameterError(
            f"Username {username!r}: {rule}.",
            parameter="username",
            **in_both(
                f"Nombre de usuario {username!r}: use de 2 a 64 minúsculas, dígitos y . _ @ - (empezando por una "
                "letra o un dígito).",
                f"Username {username!r}: {rule}.",
            ),
        )
    temporary = password is None
    secret = passwords.temporary_password() if password is None else password
    passwords.check_policy(secret)
    now = now_from(clock)
    display = display_name.strip() or name
    user = _store(platform).add_user(
        name,
        display,
        passwords.hash_password(secret),
        temporary,
        now,
        event(actor, "user.added", f"user:{name}", {"display_name": display, "email": address}, at=now),
        address,
    )
    if user is None:
        raise UserExistsError(
            f"The username {name!r} is taken.",
            user=name,
            **in_both(f"El nombre de usuario {name!r} ya está en uso.", f"The username {name!r} is taken."),
        )
    return NewUser(user, secret if temporary else None)


def overview(platform: Platform, actor: Actor) -> UsersOverview:
    require_administrator(platform, actor, "list users")
    store = _store(platform)
    return UsersOverview(store.users(), list(Role), store.provider_ids())


def grant(
    platform: Platform,
    actor: Actor,
    username: str,
    role: str,
    provider_id: str | None = None,
    *,
    clock: Clock = utc_now,
) -> bool:
    """Grant ``role`` (for ``provider_id`` if it is a national role); False if the user already held it."""
    require_administrator(platform, actor, "grant roles")
    store = _store(platform)
    parsed = parse_role(role)
    user = _user(store, username)
    scope = _scope(store, parsed, provider_id)
    now = now_from(clock)
    details = {"role": parsed.value, "provider": scope}
    return store.add_grant(
        user.id, parsed.value, scope, now, event(actor, "grant.added", f"user:{user.username}", details, at=now)
    )


def revoke(
    platform: Platform,
    actor: Actor,
    username: str,
    role: str,
    provider_id: str | None = None,
    *,
    clock: Clock = utc_now,
) -> bool:
    """Take a grant away (and revoke the user's API tokens); False if the user did not hold it."""
    require_administrator(platform, actor, "revoke roles")
    store = _store(platform)
    parsed = parse_role(role)
    user = _user(store, username)
    scope = (provider_id or "").strip().upper() or None
    details = {"role": parsed.value, "provider": scope}
    now = now_from(clock)
    return store.remove_grant(
        user.id, parsed.value, scope, now, event(actor, "grant.revoked", f"user:{user.username}", details, at=now)
    )


def set_active(platform: Platform, actor: Actor, username: str, active: bool, *, clock: Clock = utc_now) -> None:
    """Deactivate (sessions end, tokens are revoked for good, history is kept) or reactivate a user."""
    require_administrator(platform, actor, "deactivate users")
    store = _store(platform)
    user = _user(store, username)
    if user.id == actor.user_id and not active:
        raise InvalidParameterError(
            "You cannot deactivate yourself; ask another administrator.",
            parameter="username",
            **in_both(
                "No puede desactivarse a sí mismo; pídaselo a otra persona administradora.",
                "You cannot deactivate yourself; ask another administrator.",
            ),
        )
    now = now_from(clock)
    action = "user.activated" if active else "user.deactivated"
    store.set_active(user.id, active, now, event(actor, action, f"user:{user.username}", at=now))


def set_email(platform: Platform, actor: Actor, username: str, email: str | None, *, clock: Clock = utc_now) -> bool:
    """Set (or with a blank ``email`` clear) where a user's notifications go; False if it was already so."""
    require_administrator(platform, actor, "change e-mail addresses")
    store = _store(platform)
    return _change_email(store, actor, _user(store, username), email, clock)


def own_account(platform: Platform, actor: Actor) -> UserInfo:
    """The signed-in person's own account (their e-mail address, display name, roles)."""
    if actor.user_id is None:
        raise AuthenticationRequiredError("Sign in to see your account.")
    return _user(_store(platform), actor.username)


def set_own_email(platform: Platform, actor: Actor, email: str | None, *, clock: Clock = utc_now) -> bool:
    """A signed-in person sets (or with a blank ``email`` clears) where their own notifications go; audited as
    ``user.email-set`` by them. False if it was already so."""
    store = _store(platform)
    return _change_email(store, actor, own_account(platform, actor), email, clock)


def _change_email(store: AccountStore, actor: Actor, user: UserInfo, email: str | None, clock: Clock) -> bool:
    address = parse_email(email)
    if address == user.email:
        return False
    now = now_from(clock)
    details = {"from": user.email, "to": address}
    store.set_email(user.id, address, event(actor, "user.email-set", f"user:{user.username}", details, at=now))
    return True


def set_password(platform: Platform, actor: Actor, username: str, password: str, *, clock: Clock = utc_now) -> None:
    """Set a user's password (administrators, e.g. from the CLI with ``--password-stdin``)."""
    require_administrator(platform, actor, "set passwords")
    store = _store(platform)
    user = _user(store, username)
    passwords.check_policy(password)
    now = now_from(clock)
    store.set_password(
        user.id,
        passwords.hash_password(password),
        False,
        now,
        event(actor, "user.password-set", f"user:{user.username}", at=now),
    )


def reset_password(platform: Platform, actor: Actor, username: str, *, clock: Clock = utc_now) -> str:
    """A one-time temporary password for ``username`` (shown once to the administrator); the user's sessions
    end, their API tokens are revoked, a lock-out is lifted, and the user must choose a new password at the
    next sign-in."""
    require_administrator(platform, actor, "reset passwords")
    store = _store(platform)
    user = _user(store, username)
    temporary = passwords.temporary_password()
    now = now_from(clock)
    store.set_password(
        user.id,
        passwords.hash_password(temporary),
        True,
        now,
        event(actor, "user.password-reset", f"user:{user.username}", at=now),
    )
    return temporary


def acting_as(platform: Platform, username: str) -> Actor:
    """The actor a command run on the server acts as with ``--as username``: that active account's roles."""
    user = _user(_store(platform), username)
    if not user.active:
        raise PermissionDeniedError(f"{user.username} is deactivated and cannot act.", user=user.username)
    return actor_for(user)
