"""Typer application: registers the command groups and renders ``PivgmError`` as a message and exit code."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from pivgm.cli import (
    data_commands,
    exchange_commands,
    operation_commands,
    server_commands,
    submission_commands,
    user_commands,
)
from pivgm.errors import PivgmError

app = typer.Typer(
    name="pivgm",
    help="PIVGM: publish, exchange and explore official migration statistics.",
    no_args_is_help=True,
    add_completion=False,
)
data_commands.register(app)
server_commands.register(app)
exchange_commands.register(app)
user_commands.register(app)
submission_commands.register(app)
operation_commands.register(app)

error_console = Console(stderr=True)


def main() -> None:
    try:
        app(standalone_mode=False)
    except PivgmError as error:
        error_console.print(f"[bold red]Error:[/] {error.message}")
        sys.exit(error.exit_code)
    except (typer.Exit, SystemExit) as done:
        sys.exit(getattr(done, "exit_code", getattr(done, "code", 0)))
    except typer.Abort:
        error_console.print("Aborted.")
        sys.exit(130)
    except Exception as error:  # click's usage errors
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(error.exit_code)
        raise
