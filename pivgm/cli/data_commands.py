"""``pivgm init``, ``load-sources``, ``flows``, ``query``, ``gc``."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pivgm.catalog import Catalog, DataSelection
from pivgm.errors import InvalidParameterError
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.sources import all_importers, get_importer
from pivgm.workflow.loading import LoadResult, load_source

console = Console()


def initialise() -> Platform:
    with console.status("Creating the records and registering the standard..."):
        platform = Platform.initialise(Settings())
    console.print(
        f"[green]Ready:[/] {len(platform.standard.dataflows)} dataflows, "
        f"{len(platform.standard.codelists)} codelists, data in {platform.settings.data_dir}"
    )
    return platform


def load_all(platform: Platform, only: list[str] | None = None) -> list[LoadResult]:
    """Load every vendored source (or ``only`` those), each as a new version, with a progress bar."""
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
            results.append(load_source(importer, platform.standard, platform.records, platform.warehouse))
            progress.advance(task)
        progress.update(task, description="Loaded all sources")
    for result in results:
        console.print(
            f"  {result.source:<34} {result.version.dataflow_id:<28} version {result.version.id:>4} "
            f"{result.version.row_count:>9,} rows -> release {result.release.id}"
        )
    return results


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init_command() -> None:
        """Create the data directory and records (SQLite by default), and register the dataflows."""
        initialise()

    @app.command("load-sources")
    def load_sources_command(
        only: Annotated[list[str] | None, typer.Option("--only", help="Source id; repeat for several.")] = None,
    ) -> None:
        """Load the vendored public sources as new versions and publish them."""
        load_all(initialise(), only)

    @app.command("flows")
    def flows_command() -> None:
        """List the dataflows with their published release."""
        catalog = Catalog(Platform.open(Settings()))
        table = Table("id", "name", "rows", "periods", "published (UTC)")
        for summary in catalog.summaries():
            release = summary.release
            table.add_row(
                summary.dataflow.id,
                summary.dataflow.name.get("en"),
                f"{release.row_count:,}" if release else "-",
                f"{summary.first_period}..{summary.last_period}" if release else "-",
                release.published_at.strftime("%Y-%m-%d %H:%M") if release else "not published",
            )
        console.print(table)

    @app.command("query")
    def query_command(
        dataflow: Annotated[str, typer.Argument(help="Dataflow id, e.g. DF_MIG_STOCK.")],
        filters: Annotated[
            list[str] | None, typer.Option("--filter", "-f", help="DIMENSION=CODE[+CODE...], repeatable.")
        ] = None,
        start: Annotated[str | None, typer.Option("--from", help="First period: 2020, 2020-Q1, 2020-01.")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Last period.")] = None,
        limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
        output: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    ) -> None:
        """Query published observations."""
        selection = DataSelection(filters=parse_filters(filters or []), start=start, end=end, limit=limit)
        view = Catalog(Platform.open(Settings())).data(dataflow, selection)
        rows = view.table.to_pylist()
        if output == "csv":
            writer = csv.DictWriter(sys.stdout, fieldnames=view.table.column_names)
            writer.writeheader()
            writer.writerows(rows)
        elif output == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            table = Table(*view.table.column_names)
            for row in rows:
                table.add_row(*("" if v is None else str(v) for v in row.values()))
            console.print(table)
            console.print(f"{len(rows)} of {view.total:,} observations")

    @app.command("gc")
    def gc_command() -> None:
        """Delete Parquet files that no record points to (left by interrupted loads)."""
        platform = Platform.open(Settings())
        removed = platform.warehouse.collect_garbage(platform.records.referenced_files())
        console.print(f"Removed {len(removed)} unreferenced file(s).")


def parse_filters(filters: list[str]) -> dict[str, list[str]]:
    """``["SEX=F+M", "REF_AREA=MEX"]`` -> ``{"SEX": ["F", "M"], "REF_AREA": ["MEX"]}``."""
    parsed: dict[str, list[str]] = {}
    for item in filters:
        dimension, separator, codes = item.partition("=")
        if not separator or not dimension or not codes:
            raise InvalidParameterError(f"Filter {item!r}: write DIMENSION=CODE or DIMENSION=CODE+CODE.")
        parsed.setdefault(dimension.strip(), []).extend(c.strip() for c in codes.split("+") if c.strip())
    return parsed
