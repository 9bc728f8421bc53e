"""``pivgm pull``: load another SDMX service's published data into this instance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pivgm.cli import acting
from pivgm.cli.acting import AsOption
from pivgm.cli.data_commands import console, initialise

if TYPE_CHECKING:
    from pivgm.workflow.changes import Changes

SAMPLE = 10


def print_changes(changes: Changes, provider: str) -> None:
    """The dry run's answer: what a pull would add, revise and delete in ``provider``'s data."""
    typer.echo(
        f"{provider}: {changes.new:,} added, {changes.revised:,} revised, "
        f"{changes.deleted:,} deleted, {changes.unchanged:,} unchanged."
    )
    for change in changes.shown[:SAMPLE]:
        key = ".".join(change.key.values())
        typer.echo(
            f"  {change.kind:<8} {key}  {change.old if change.old is not None else '-'} -> "
            f"{change.new if change.new is not None else '-'}"
        )


def register(app: typer.Typer) -> None:
    @app.command("pull")
    def pull_command(
        url: Annotated[str, typer.Argument(help="SDMX REST entry point, e.g. https://host/sdmx/rest.")],
        dataflow: Annotated[str, typer.Argument(help="Dataflow id, e.g. DF_IRREGULAR_TRANSIT.")],
        key: Annotated[str, typer.Option(help="SDMX key, e.g. M.HND....; all by default.")] = "all",
        start: Annotated[str | None, typer.Option("--start", help="startPeriod, e.g. 2020-01.")] = None,
        end: Annotated[str | None, typer.Option("--end", help="endPeriod.")] = None,
        provider: Annotated[
            str | None,
            typer.Option(
                help="Record all the data under this provider id (default: the service's own providers, or, "
                "when it has no provider scheme, one made from the URL's host)."
            ),
        ] = None,
        as_user: AsOption = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Print what would change (counts and a sample); write nothing.")
        ] = False,
        since: Annotated[
            str | None,
            typer.Option(
                "--since",
                help="Only apply what the service published after this time (updatedAfter), deletions "
                "included, e.g. 2025-06-01T00:00:00Z: the time of the previous pull.",
            ),
        ] = None,
    ) -> None:
        """Fetch a dataflow's structure and published data from an SDMX service and publish them here, each
        of the service's data providers as its own version, all in one release."""
        from pivgm.sdmx.keys import parse_moment
        from pivgm.workflow.pulling import PullRequest, preview, pull

        platform = initialise()
        moment = parse_moment(since, "--since") if since else None
        request = PullRequest(url, dataflow, key=key, start=start, end=end, provider_id=provider, since=moment)
        if dry_run:
            with console.status(f"Comparing {dataflow} from {url}..."):
                changes = preview(request, platform.standard, platform.records, platform.warehouse)
            typer.echo("Dry run, nothing written.")
            for provider_id, provider_changes in changes:
                print_changes(provider_changes, provider_id)
            return
        with console.status(f"Pulling {dataflow} from {url}..."):
            actor = acting.actor(platform, as_user)
            pulled = pull(request, platform.standard, platform.records, platform.warehouse, actor=actor)
        if any(result.changed for result in pulled.results):
            from pivgm.workflow.profiles import prepare_profiles

            prepare_profiles(platform)  # the region's country profiles of the new release, once for every worker
        if not pulled.by_provider and provider is None:
            typer.echo(
                f"{url} has no data provider scheme: all its data are recorded under one provider, "
                f"{request.provider()} (choose another with --provider).",
                err=True,
            )
        if not pulled.results and moment is not None:
            console.print(f"No changes to {dataflow} at {url} since {moment.isoformat()}; nothing was recorded.")
        for result in pulled.results:
            version = result.version
            if not result.changed:
                console.print(
                    f"Unchanged: {version.dataflow_id} of provider {version.provider_id} already holds "
                    f"these data (version {version.id}); nothing was recorded."
                )
                continue
            console.print(
                f"[green]Pulled[/] {version.row_count:,} observations of {version.dataflow_id} "
                f"as version {version.id} of provider {version.provider_id} "
                f"-> release {result.release.id} ({result.release.row_count:,} observations)."
            )
