"""Typer application: registers the command groups and renders ``PivgmError`` as a message and exit code."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from pivgm.cli import (
    data_commands,
    exchange_commands,
    microdata_commands,
    operation_commands,
    review_commands,
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
review_commands.register(app)
operation_commands.register(app)
microdata_commands.register(app)

error_console = Console(stderr=True)


def main() -> None:
    """Run the command; exit 0 on success, 2 on a usage mistake (one line on stderr, never a traceback),
    and the ``PivgmError``'s exit code on a domain error."""
    try:
        code = app(standalone_mode=False)
    except PivgmError as error:
        error_console.print(f"[bold red]Error:[/] {error.message}", soft_wrap=True)
        sys.exit(error.exit_code)
    except typer.Abort:
        error_console.print("Aborted.")
        sys.exit(130)
    except typer.TyperException as error:  # usage mistakes: the pinned Typer raises its own click's errors
        sys.stderr.write(usage_line(error) + "\n")
        sys.exit(getattr(error, "exit_code", 2))
    # Without standalone mode Typer returns typer.Exit's code instead of raising it.
    sys.exit(code if isinstance(code, int) else 0)


def usage_line(error: typer.TyperException) -> str:
    """One line: what was wrong, and where to read how to write the command."""
    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "pivgm"
    message = " ".join(error.format_message().split()).rstrip(".")
    if type(error).__name__ == "NoArgsIsHelpError":
        return f"{command}: a command is missing. See '{command} --help'."
    return f"{command}: {message}. See '{command} --help'."
