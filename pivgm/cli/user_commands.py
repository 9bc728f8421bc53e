"""``pivgm users add|grant|revoke|list|set-email|reset-password|deactivate|activate``: accounts from the server's shell.

Commands act as the administrator ``cli:<os user>``; every change is audited under that name.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from pivgm.accounts.actor import Actor, Role
from pivgm.errors import InvalidParameterError

if TYPE_CHECKING:  # the records load only when a command runs
    from pivgm.platform import Platform

console = Console()

UsernameArgument = Annotated[str, typer.Argument(help="Username (lowercase letters, digits, . _ @ -).")]
ProviderOption = Annotated[str | None, typer.Option("--provider", help="Provider id for a national role, e.g. GT_IGM.")]
ROLES = ", ".join(role.value for role in Role)


def cli_actor() -> Actor:
    from pivgm.accounts.audit import operating_system_actor

    return operating_system_actor()


def _platform() -> Platform:
    from pivgm.platform import Platform
    from pivgm.settings import Settings

    return Platform.open(Settings())


def _users() -> ModuleType:
    from pivgm.accounts import users

    return users


def _password_from_stdin() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InvalidParameterError("--password-stdin: no password on the standard input.", parameter="password")
    return line


def _show_temporary(username: str, password: str) -> None:
    console.print(f"Temporary password for [bold]{username}[/] (shown once; it must be changed at sign-in):")
    print(password)


group = typer.Typer(help="User accounts and their roles.", no_args_is_help=True)


@group.command("add")
def add_command(
    username: UsernameArgument,
    name: Annotated[str, typer.Option("--name", help="Full name shown in the interface.")] = "",
    email: Annotated[str, typer.Option("--email", help="Address review notifications go to.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the standard input.")
    ] = False,
) -> None:
    """Add a user (no role yet). Without --password-stdin a temporary password is printed once."""
    password = _password_from_stdin() if password_stdin else None
    new = _users().add(_platform(), cli_actor(), username, name, password, email=email)
    console.print(f"[green]Added[/] {new.user.username}.")
    if new.temporary_password:
        _show_temporary(new.user.username, new.temporary_password)


@group.command("grant")
def grant_command(
    username: UsernameArgument,
    role: Annotated[str, typer.Argument(help=f"One of: {ROLES}.")],
    provider: ProviderOption = None,
) -> None:
    """Grant a role; national roles are for one provider (--provider)."""
    changed = _users().grant(_platform(), cli_actor(), username, role, provider)
    console.print(f"[green]Granted[/] {role} to {username}." if changed else f"{username} already has that role.")


@group.command("revoke")
def revoke_command(
    username: UsernameArgument,
    role: Annotated[str, typer.Argument(help=f"One of: {ROLES}.")],
    provider: ProviderOption = None,
) -> None:
    """Take a role away."""
    changed = _users().revoke(_platform(), cli_actor(), username, role, provider)
    console.print(f"[green]Revoked[/] {role} from {username}." if changed else f"{username} did not have that role.")


@group.command("list")
def list_command() -> None:
    """Users, their state and their roles."""
    table = Table("username", "name", "e-mail", "state", "roles")
    for user in _users().overview(_platform(), cli_actor()).users:
        state = "active" if user.active else "inactive"
        roles = ", ".join(f"{role}:{provider}" if provider else role for role, provider in user.grants)
        table.add_row(user.username, user.display_name, user.email or "-", state, roles or "-")
    console.print(table)


@group.command("set-email")
def set_email_command(
    username: UsernameArgument,
    email: Annotated[str, typer.Argument(help="The new address; an empty string '' removes it.")],
) -> None:
    """Set or remove the address a user's review notifications go to."""
    changed = _users().set_email(_platform(), cli_actor(), username, email)
    console.print(f"[green]E-mail set[/] for {username}." if changed else f"{username} already has that address.")


@group.command("reset-password")
def reset_command(username: UsernameArgument) -> None:
    """Print a one-time temporary password; the user's sessions end."""
    _show_temporary(username, _users().reset_password(_platform(), cli_actor(), username))


@group.command("set-password")
def set_password_command(username: UsernameArgument) -> None:
    """Set a password read from the standard input (for provisioning scripts)."""
    _users().set_password(_platform(), cli_actor(), username, _password_from_stdin())
    console.print(f"[green]Password set[/] for {username}.")


@group.command("deactivate")
def deactivate_command(username: UsernameArgument) -> None:
    """Deactivate a user: sessions end and tokens stop working; the history is kept."""
    _users().set_active(_platform(), cli_actor(), username, False)
    console.print(f"[green]Deactivated[/] {username}.")


@group.command("activate")
def activate_command(username: UsernameArgument) -> None:
    """Reactivate a user."""
    _users().set_active(_platform(), cli_actor(), username, True)
    console.print(f"[green]Activated[/] {username}.")


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="users")
