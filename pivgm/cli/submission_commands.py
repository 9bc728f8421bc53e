"""``pivgm validate``, ``pivgm submit`` and ``pivgm suggest``.

Writes act as the operating system's user (``cli:<user>``, an administrator on the server) or as the account
named by ``--as`` (with its roles), and are audited under that name. ``submit --publish`` is an
administrator's override of the review and needs ``--override-reason`` (see ``review_commands``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pivgm.cli import acting
from pivgm.cli.acting import AsOption
from pivgm.errors import InvalidParameterError
from pivgm.ingest.report import Severity, ValidationReport, note_text

if TYPE_CHECKING:  # readers, records and the platform load only when a command runs
    from pivgm.ingest.mapping import Mapping
    from pivgm.ingest.recipes import Recipe
    from pivgm.workflow.submissions import SubmissionRequest

console = Console()

FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File to check.")]
FlowOption = Annotated[str, typer.Option("--flow", help="Dataflow id, e.g. DF_IRREGULAR_TRANSIT.")]
ProviderOption = Annotated[str, typer.Option("--provider", help="Provider id, e.g. MX_UPM.")]
MappingOption = Annotated[Path | None, typer.Option("--mapping", help="Mapping JSON file.", exists=True)]
RecipeOption = Annotated[
    str | None,
    typer.Option("--recipe", help="Recipe YAML file, or the name of a shipped recipe (see docs/submissions.md)."),
]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="Sheet name or number (spreadsheets).")]
LanguageOption = Annotated[str, typer.Option("--lang", help="Language of the messages: es or en.")]
OverrideOption = Annotated[
    str, typer.Option("--override-reason", help="Administrators: publish outside the review steps, saying why.")
]


class _WithoutPandas:
    """An import finder that says pandas is not installed (see ``_arrow_without_pandas``)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ImportError("pandas is not used by PIVGM")


def _arrow_without_pandas() -> None:
    """Arrow imports pandas, if installed, the first time it is handed any data (to recognise data frames):
    0.3-0.7 s and 55 MB that checking a file never uses. Arrow is told once that pandas is absent; pandas
    stays importable afterwards, and Arrow still converts to it when asked."""
    import sys

    if "pandas" in sys.modules:
        return
    finder = _WithoutPandas()
    sys.meta_path.insert(0, finder)
    try:
        import pyarrow as pa

        pa.array([])  # Arrow looks for pandas here, once
    finally:
        sys.meta_path.remove(finder)


def _system_allocator() -> None:
    """Arrow allocates with the C library's malloc rather than its bundled mimalloc, unless the user chose a
    pool (ARROW_DEFAULT_MEMORY_POOL, read when Arrow first allocates, so set before it is imported): a command
    reads one large file and frees its passes' columns as it goes, and malloc hands such large blocks back
    to the system at once, where mimalloc keeps them and resets their pages. Validating 5 M rows peaked
    about 100 MiB lower and took 0.6-1.1 s less (kernel time), with and without published history. Large
    blocks are kept mapped from the system (``large_blocks_from_the_system``)."""
    import os

    from pivgm.warehouse.memory import large_blocks_from_the_system

    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    large_blocks_from_the_system()


def _leave(code: int) -> NoReturn:
    """End the process at once with ``code``, its output written: a large file's tables take 0.4-0.6 s to be
    freed object by object at exit, and ``validate`` keeps nothing (it writes no records and no files)."""
    import logging
    import os
    import sys

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _mapping(path: Path | None) -> Mapping | None:
    from pivgm.ingest.mapping import Mapping

    if path is None:
        return None
    try:
        return Mapping.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, AttributeError) as error:
        raise InvalidParameterError(f"{path.name} is not a valid mapping JSON file: {error}") from None


def _request(
    file: Path,
    flow: str,
    provider: str,
    mapping: Path | None,
    sheet: str | None,
    load: bool,
    recipe: str | None = None,
) -> SubmissionRequest:
    from pivgm.ingest.readers import ReadOptions
    from pivgm.ingest.recipes import load_recipe
    from pivgm.ingest.recipes.named import shipped_recipe
    from pivgm.workflow.submissions import SubmissionRequest

    sheet_choice: str | int | None = int(sheet) if sheet and sheet.isdigit() else sheet
    if recipe is not None and mapping is not None:
        raise InvalidParameterError("Give either --recipe or --mapping, not both (a recipe holds the mapping).")
    recipe_document: Recipe | None = None
    if recipe is not None:
        path = Path(recipe)
        named = not path.is_file() and path.suffix not in (".yaml", ".yml", ".json") and path.name == recipe
        recipe_document = shipped_recipe(recipe) if named else load_recipe(path)
    return SubmissionRequest(
        recipe=recipe_document,
        provider_id=provider,
        dataflow_id=flow,
        file_name=file.name,
        content=b"",
        path=file,  # read where it is: never copied into memory or a temporary file
        mapping=_mapping(mapping),
        options=ReadOptions(sheet=sheet_choice),
        load=load,
    )


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Recipe errors raised inside say what is wrong in ``language`` (--lang)."""
    from pivgm.ingest.recipes import RecipeError

    try:
        yield
    except RecipeError as error:
        error.message = error.text(language)
        raise


def print_report(report: ValidationReport, language: str) -> None:
    colour = "green" if report.valid else "red"
    console.print(
        f"[bold]{report.file_name}[/] -> {report.dataflow_id}: {report.rows:,} rows, "
        f"[{colour}]{report.error_count:,} error(s)[/], {report.warning_count:,} warning(s)"
    )
    for summary in report.rules.values():
        style = "red" if summary.severity is Severity.ERROR else "yellow"
        table = Table(title=f"[{style}]{summary.type}[/] ({summary.count:,})", title_justify="left")
        for column in ("row", "column", "value", "message"):
            table.add_column(column, overflow="fold")
        for issue in summary.issues[:20]:
            table.add_row(str(issue.row or ""), issue.column or "", issue.value or "", issue.message(language))
        console.print(table)
    for note in report.notes:
        console.print("[dim]note:[/] " + escape(note_text(note, language)))


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate_command(
        file: FileArgument,
        flow: FlowOption,
        provider: ProviderOption,
        mapping: MappingOption = None,
        sheet: SheetOption = None,
        lang: LanguageOption = "es",
        recipe: RecipeOption = None,
    ) -> None:
        """Check a file against a dataflow and print the report; exit code 1 if it has errors."""
        _system_allocator()
        _arrow_without_pandas()
        from pivgm.platform import Platform
        from pivgm.settings import Settings
        from pivgm.workflow.submissions import check_file

        platform = Platform.initialise(Settings())
        with in_language(lang):
            request = _request(file, flow, provider, mapping, sheet, load=False, recipe=recipe)
            checked = check_file(platform, request)
        print_report(checked.report, lang)
        _leave(0 if checked.report.valid else 1)

    @app.command("submit")
    def submit_command(
        file: FileArgument,
        flow: FlowOption,
        provider: ProviderOption,
        mapping: MappingOption = None,
        sheet: SheetOption = None,
        publish: Annotated[
            bool, typer.Option(help="Publish the loaded version at once (an override: needs --override-reason).")
        ] = False,
        override_reason: OverrideOption = "",
        as_user: AsOption = None,
        lang: LanguageOption = "es",
        recipe: RecipeOption = None,
    ) -> None:
        """Submit a file: archive, validate, and load it as a new version (a draft for review) when it has
        no errors."""
        _system_allocator()
        _arrow_without_pandas()
        from pivgm.platform import Platform
        from pivgm.settings import Settings
        from pivgm.workflow import overrides
        from pivgm.workflow.submissions import submit

        if publish and not override_reason.strip():
            raise InvalidParameterError(
                "--publish skips the review steps: give --override-reason (administrators only), or take the "
                "steps with `pivgm review`.",
                parameter="override-reason",
            )
        platform = Platform.initialise(Settings())
        actor = acting.actor(platform, as_user)
        with in_language(lang), console.status("Validating and loading..."):
            request = _request(file, flow, provider, mapping, sheet, load=True, recipe=recipe)
            outcome = submit(platform, replace(request, actor=actor))
        print_report(outcome.report, lang)
        console.print(f"Submission {outcome.submission.id}: {outcome.submission.status}")
        if outcome.duplicate_of:
            console.print(f"[yellow]The same file was already loaded by submission {outcome.duplicate_of}.[/]")
        if outcome.version is None:
            raise typer.Exit(1 if not outcome.report.valid else 0)
        console.print(f"Loaded as version {outcome.version.id} ({outcome.version.row_count:,} observations).")
        if publish:
            overrides.publish(platform, actor, outcome.version.id, override_reason)
            console.print(f"Published version {outcome.version.id} of {outcome.version.dataflow_id}.")

    @app.command("suggest")
    def suggest_command(
        file: FileArgument, flow: FlowOption, provider: ProviderOption, sheet: SheetOption = None
    ) -> None:
        """Print a suggested recipe for a file (edit it, then validate or submit with --recipe)."""
        from pivgm.ingest.readers import ReadOptions, read_file
        from pivgm.ingest.recipes.draft import draft_recipe
        from pivgm.ingest.suggest import suggest_mapping
        from pivgm.structures import load_standard

        standard = load_standard()
        dataflow, agency = standard.dataflow(flow), standard.provider(provider)
        sheet_choice: str | int | None = int(sheet) if sheet and sheet.isdigit() else sheet
        raw = read_file(file, ReadOptions(sheet=sheet_choice))
        suggestion = suggest_mapping(raw, dataflow, provider_countries=agency.countries)
        typer.echo(draft_recipe(raw.plain(), suggestion, dataflow, agency.id), nl=False)
