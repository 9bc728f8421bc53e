"""``pivgm aggregate``: individual records -> protected table -> submission (optionally submitted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pivgm.cli import acting
from pivgm.cli.acting import AsOption
from pivgm.cli.submission_commands import print_report
from pivgm.errors import InvalidParameterError
from pivgm.microdata.engines import Engine

if TYPE_CHECKING:
    from pivgm.microdata.run import AggregationReport

console = Console(stderr=True)


def _print(report: AggregationReport, out: Path) -> None:
    protection = report.protection
    console.print(
        f"[bold]{report.records:,}[/] records read ({report.engine}), {report.aggregated:,} aggregated into "
        f"{report.cells:,} cells -> {out}"
    )
    if report.unmapped:
        table = Table(title="Records left out, by reason", title_justify="left")
        table.add_column("reason")
        table.add_column("records", justify="right")
        for reason, count in report.unmapped.items():
            table.add_row(reason, f"{count:,}")
        console.print(table)
    if protection.method == "suppression":
        primary = ", ".join(f"{n:,} {why}" for why, n in protection.primary.items()) or "none"
        console.print(
            f"Protection ({protection.tables:,} tables): primary suppression (C): {primary}; "
            f"secondary suppression (D): {protection.secondary:,}"
        )
    elif protection.method == "cell_key":
        rules = protection.rules
        console.print(
            f"Protection: cell-key method (noise up to {rules.max_noise}, variance {rules.variance:g}, no counts "
            f"1 to {rules.small}), {protection.perturbed:,} cells changed"
        )
    elif protection.method == "rounding":
        console.print(
            f"Protection: controlled rounding to base {protection.rules.base}, {protection.rounded:,} cells changed"
        )


def register(app: typer.Typer) -> None:
    @app.command("aggregate")
    def aggregate_command(
        flow: Annotated[str, typer.Option("--flow", help="Dataflow id, e.g. DF_RETURNS.")],
        provider: Annotated[str, typer.Option("--provider", help="Provider id, e.g. MX_UPM.")],
        inputs: Annotated[list[Path], typer.Option("--input", help="Record file or folder; repeatable.")],
        recipe: Annotated[Path, typer.Option("--recipe", help="Recipe YAML: record fields -> dimensions.")],
        out: Annotated[Path, typer.Option("--out", help="Submission file to write (SDMX-CSV).")],
        engine: Annotated[Engine, typer.Option("--engine", help="duckdb (default) or spark.")] = Engine.DUCKDB,
        spark_master: Annotated[str | None, typer.Option("--spark-master", help="Spark master URL.")] = None,
        protection: Annotated[
            Path | None, typer.Option("--protection", help="Disclosure-control rules YAML (default: the platform's).")
        ] = None,
        report: Annotated[Path | None, typer.Option("--report", help="Write the report as JSON here.")] = None,
        record_key_secret: Annotated[
            str,
            typer.Option(
                "--record-key-secret",
                envvar="PIVGM_RECORD_KEY_SECRET",
                help="The office's secret in every record key of the cell-key method (keep it, never publish it).",
                show_default=False,
            ),
        ] = "",
        send: Annotated[bool, typer.Option("--submit", help="Submit the result as a new version.")] = False,
        as_user: AsOption = None,
        lang: Annotated[str, typer.Option("--lang", help="Language of the messages: es or en.")] = "es",
    ) -> None:
        """Aggregate individual records into a protected table the upload pipeline accepts as it is."""
        from pivgm.ingest.readers import ReadOptions
        from pivgm.microdata.protection.config import load_rules
        from pivgm.microdata.recipe import load_recipe
        from pivgm.microdata.run import aggregate_records  # Ibis and the engines load only for this command
        from pivgm.microdata.submission import write_atomically
        from pivgm.platform import Platform
        from pivgm.settings import Settings
        from pivgm.structures import load_standard
        from pivgm.workflow.submissions import SubmissionRequest, submit

        standard = load_standard()
        dataflow = standard.dataflow(flow)
        standard.provider(provider)
        if not recipe.is_file():
            raise InvalidParameterError(f"recipe {recipe} does not exist.")
        parsed = load_recipe(recipe, dataflow)
        rules = load_rules(flow, protection)
        columns = (TextColumn("{task.description:<28}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
        with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("reading", total=None)

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=total or None)

            result = aggregate_records(
                inputs,
                parsed,
                dataflow,
                rules,
                engine=engine,
                spark_master=spark_master,
                progress=progress,
                record_key_secret=record_key_secret,
            )
        write_atomically(out, result.submission)
        if report is not None:
            write_atomically(report, json.dumps(result.report.to_dict(), ensure_ascii=False, indent=1))
        _print(result.report, out)
        if send:
            platform = Platform.initialise(Settings())
            actor = acting.actor(platform, as_user)
            request = SubmissionRequest(
                provider_id=provider,
                dataflow_id=flow,
                file_name=out.name,
                content=out.read_bytes(),
                mapping=None,
                options=ReadOptions(),
                load=True,
                actor=actor,
            )
            outcome = submit(platform, request)
            print_report(outcome.report, lang)
            if outcome.version is None:
                raise typer.Exit(1)
            console.print(f"Submission {outcome.submission.id}: loaded as version {outcome.version.id}.")
