"""``pivgm review`` and ``pivgm publish``: review steps by the same rules as the web.

Commands act as the operating system's user (``cli:<user>``, an administrator on the server) or as the
account named by ``--as`` (with its roles), and are audited under that name. ``pivgm publish`` takes the
review step ``publish`` unless an administrator overrides the review with a recorded reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from pivgm.cli import acting
from pivgm.cli.acting import AsOption
from pivgm.cli.submission_commands import OverrideOption
from pivgm.errors import InvalidParameterError
from pivgm.workflow.review import TRANSITIONS

console = Console()

ReleaseAtOption = Annotated[
    str | None, typer.Option("--release-at", help="Embargo: take effect at this time, e.g. 2026-12-01T12:00Z.")
]


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidParameterError(
            f"--release-at {text!r} is not a date and time; write e.g. 2026-12-01T12:00Z.", parameter="release-at"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register(app: typer.Typer) -> None:
    @app.command("publish")
    def publish_command(
        version: Annotated[int, typer.Argument(help="Dataset version id.")],
        release_at: ReleaseAtOption = None,
        override_reason: OverrideOption = "",
        as_user: AsOption = None,
    ) -> None:
        """Publish a loaded dataset version: the review step 'publish' of its submission (approved
        regionally), or, with --override-reason, an administrator's override of the review."""
        from pivgm.platform import Platform
        from pivgm.settings import Settings
        from pivgm.workflow import overrides

        platform = Platform.open(Settings())
        moment = _moment(release_at)
        submission = overrides.publish(platform, acting.actor(platform, as_user), version, override_reason, moment)
        state = f" (submission {submission.id}: {submission.status})" if submission else ""
        console.print(f"Published version {version}{state}.")

    @app.command("review")
    def review_command(
        submission: Annotated[int, typer.Argument(help="Submission id.")],
        action: Annotated[str, typer.Argument(help=f"One of: {', '.join(TRANSITIONS)}.")],
        comment: Annotated[str, typer.Option(help="Why (needed to reject, withdraw or cancel).")] = "",
        release_at: ReleaseAtOption = None,
        as_user: AsOption = None,
    ) -> None:
        """Take one review step on a submission, by the same rules as the web."""
        from pivgm.platform import Platform
        from pivgm.settings import Settings
        from pivgm.workflow.transitions import take_step

        platform = Platform.open(Settings())
        actor = acting.actor(platform, as_user)
        changed = take_step(platform, actor, submission, action, comment, _moment(release_at))
        console.print(f"Submission {changed.id}: {changed.status}")
