"""``pivgm init``, ``load-sources``, ``flows``, ``query``, ``gc``."""

from __future__ import annotations

import csv
import json
import re
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pivgm.cells import safe_row
from pivgm.cli import acting
from pivgm.cli.acting import AsOption
from pivgm.cli.tables import fitted_table, named_table, print_whole
from pivgm.errors import InvalidParameterError

if TYPE_CHECKING:  # the platform loads only when a command runs, so `pivgm --help` starts fast
    from pivgm.accounts.actor import Actor
    from pivgm.model import Dataflow
    from pivgm.platform import Platform
    from pivgm.workflow.loading import LoadResult
    from pivgm.workflow.recovery import CleanUp

console = Console()
error_console = Console(stderr=True)
TABLE_ROWS = 50


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def initialise() -> Platform:
    from pivgm.platform import Platform
    from pivgm.settings import Settings
    from pivgm.workflow.recovery import recover_interrupted_loads

    with console.status("Creating the records and registering the standard..."):
        platform = Platform.initialise(Settings())
    failed = recover_interrupted_loads(platform)
    if failed:
        console.print(f"[yellow]Submission load(s) {', '.join(map(str, failed))} had been interrupted: marked failed.")
    console.print(
        f"[green]Ready:[/] {len(platform.standard.dataflows)} dataflows, "
        f"{len(platform.standard.codelists)} codelists, data in {platform.settings.data_dir}"
    )
    return platform


def load_all(platform: Platform, only: list[str] | None = None, actor: Actor | None = None) -> list[LoadResult]:
    """Load every vendored source (or ``only`` those), each as a new version, with a progress bar."""
    from pivgm.sources import all_importers, get_importer
    from pivgm.workflow.loading import load_source

    importers = [get_importer(s) for s in only] if only else list(all_importers().values())
    results = []
    columns = (
        TextColumn("{task.description:<34}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Loading sources", total=len(importers))
        for importer in importers:
            progress.update(task, description=f"Loading {importer.id}")
            results.append(load_source(importer, platform.standard, platform.records, platform.warehouse, actor=actor))
            progress.advance(task)
        progress.update(task, description="Loaded all sources")
    for result in results:
        console.print(
            f"  {result.source:<34} {result.version.dataflow_id:<28} version {result.version.id:>4} "
            f"{result.version.row_count:>9,} rows -> release {result.release.id}"
        )
    return results


def refresh_indicators(platform: Platform, actor: Actor) -> None:
    """Every derived indicator recomputed, then the country profiles that show them (once for every worker)."""
    from pivgm.workflow.deriving import deriver_of
    from pivgm.workflow.profiles import prepare_profiles

    refreshed = deriver_of(platform).refresh_all(actor)
    for done in refreshed:
        change = f"release {done.release.id}, {done.rows:,} rows" if done.release else "unchanged"
        console.print(f"  {done.indicator:<34} {change}")
    if any(done.release for done in refreshed):
        prepare_profiles(platform)


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init_command() -> None:
        """Create the data directory and records (SQLite by default), and register the dataflows."""
        initialise()

    @app.command("load-sources")
    def load_sources_command(
        only: Annotated[list[str] | None, typer.Option("--only", help="Source id; repeat for several.")] = None,
        as_user: AsOption = None,
    ) -> None:
        """Load the vendored public sources as new versions and publish them (administrators)."""
        from pivgm.workflow.profiles import prepare_profiles

        platform = initialise()
        load_all(platform, only, acting.actor(platform, as_user))
        prepare_profiles(platform)  # the region's country profiles of the new releases, once for every worker

    @app.command("refresh-indicators")
    def refresh_indicators_command(as_user: AsOption = None) -> None:
        """Recompute every derived indicator from the releases in force (administrators)."""
        platform = initialise()
        refresh_indicators(platform, acting.actor(platform, as_user))

    @app.command("flows")
    def flows_command(
        wide: Annotated[bool, typer.Option("--wide", help="One line per dataflow, however wide.")] = False,
    ) -> None:
        """List the dataflows with their published release ("-": not published yet)."""
        from pivgm.catalog import Catalog
        from pivgm.catalog.published import PublishedData
        from pivgm.platform import Platform
        from pivgm.settings import Settings

        catalog = Catalog(PublishedData(Platform.open(Settings())))
        rows = []
        for summary in catalog.summaries():
            release = summary.release
            rows.append(
                (
                    summary.dataflow.id,
                    summary.dataflow.name.get("en"),
                    f"{release.row_count:,}" if release else "-",
                    f"{summary.first_period}..{summary.last_period}" if release else "-",
                    release.published_at.strftime("%Y-%m-%d %H:%M") if release else "-",
                )
            )
        table = named_table(("id", "name", "rows", "periods", "published (UTC)"), rows)
        if wide:
            print_whole(console, table)
        else:
            console.print(table)

    @app.command("query")
    def query_command(
        dataflow: Annotated[str, typer.Argument(help="Dataflow id, e.g. DF_MIG_STOCK.")],
        filters: Annotated[
            list[str] | None,
            typer.Option("--filter", "-f", help="DIMENSION=CODE[,CODE...] (or CODE+CODE), repeatable."),
        ] = None,
        start: Annotated[str | None, typer.Option("--from", help="First period: 2020, 2020-Q1, 2020-01.")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Last period.")] = None,
        limit: Annotated[
            int | None,
            typer.Option(min=0, help="At most this many rows; 0 for all. Default: 50 in a table, all in csv/json."),
        ] = None,
        output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.TABLE,
        wide: Annotated[bool, typer.Option("--wide", help="Show every column, however wide the table.")] = False,
    ) -> None:
        """Query published observations. When fewer rows are shown than match, stderr says so."""
        run_query(dataflow, parse_filters(filters or []), start, end, limit, output, wide)

    @app.command("gc")
    def gc_command() -> None:
        """Mark interrupted submission loads failed and delete files no record points to (waits for loads)."""
        from pivgm.platform import Platform
        from pivgm.settings import Settings
        from pivgm.workflow.recovery import clean_up

        print_clean_up(clean_up(Platform.open(Settings())))


def print_clean_up(done: CleanUp) -> None:
    if done.failed_submissions:
        ids = ", ".join(str(i) for i in done.failed_submissions)
        console.print(f"Marked {len(done.failed_submissions)} interrupted submission load(s) failed: {ids}.")
    console.print(f"Removed {len(done.removed_files)} unreferenced file(s).")


def run_query(
    dataflow: str,
    filters: dict[str, list[str]],
    start: str | None,
    end: str | None,
    limit: int | None,
    output: OutputFormat,
    wide: bool,
) -> None:
    """Write the published observations selected in ``output``'s format; say on stderr when rows are left out."""
    from pivgm.catalog import Catalog, DataSelection
    from pivgm.catalog.published import PublishedData
    from pivgm.platform import Platform
    from pivgm.settings import Settings

    if limit is None:
        limit = TABLE_ROWS if output is OutputFormat.TABLE else 0
    selection = DataSelection(filters=filters, start=start, end=end, limit=limit or None)
    view = Catalog(PublishedData(Platform.open(Settings()))).data(dataflow, selection)
    rows = view.table.to_pylist()
    if output is OutputFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(view.table.column_names)
        writer.writerows(safe_row(row.values()) for row in rows)  # redirected to files people open
    elif output is OutputFormat.JSON:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print_observations(view.dataflow, view.table.column_names, rows, wide)
    if len(rows) < view.total:
        error_console.print(
            f"Showing {len(rows):,} of {view.total:,} observations: --limit N shows more, --limit 0 all.",
            soft_wrap=True,
        )


def print_observations(dataflow: Dataflow, columns: list[str], rows: list[dict[str, object]], wide: bool) -> None:
    """The rows as a table of whole values; the key and the value always, other columns while they fit."""
    structure = dataflow.structure
    keep = len(structure.dimension_ids) + 2
    first = [*structure.dimension_ids, structure.time_dimension, structure.measure.id]
    headers = [c for c in first if c in columns] + [c for c in columns if c not in first]
    cells = [["" if row[h] is None else str(row[h]) for h in headers] for row in rows]
    table, hidden = fitted_table(console, headers, cells, wide, keep)
    print_whole(console, table)
    console.print(f"{len(rows):,} observations shown")
    if hidden:
        error_console.print(f"Columns left out to fit the terminal: {', '.join(hidden)} (--wide shows them).")


def parse_filters(filters: list[str]) -> dict[str, list[str]]:
    """``["SEX=F+M", "REF_AREA=MEX,GTM"]`` -> ``{"SEX": ["F", "M"], "REF_AREA": ["MEX", "GTM"]}``: codes are
    separated by ``,`` as in the web and JSON API, or by ``+`` as in SDMX keys."""
    parsed: dict[str, list[str]] = {}
    for item in filters:
        dimension, separator, codes = item.partition("=")
        if not separator or not dimension or not codes:
            raise InvalidParameterError(f"Filter {item!r}: write DIMENSION=CODE or DIMENSION=CODE,CODE.")
        parsed.setdefault(dimension.strip(), []).extend(c.strip() for c in re.split(r"[,+]", codes) if c.strip())
    return parsed
