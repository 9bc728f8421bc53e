"""Who a command acts as: ``--as`` names an account (its roles apply), else the operating system's user,
an administrator on the server (``cli:<user>``). Every write is audited under that name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pivgm.accounts.actor import Actor
    from pivgm.platform import Platform

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this account (its roles apply; audited under its name). Default: cli:<os user>."),
]


def actor(platform: Platform, username: str | None) -> Actor:
    """The account named by ``--as``, or the operating system's user."""
    from pivgm.accounts.audit import operating_system_actor
    from pivgm.accounts.users import acting_as

    return acting_as(platform, username) if username else operating_system_actor()
