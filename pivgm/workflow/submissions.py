"""Country submissions: archive the file, read it in its national layout, map, validate, and load a new
dataset version atomically when the report has no errors.

Order of events: size check (nothing kept if too large) -> read -> map -> validate (nothing written yet, so
a file over a limit leaves no trace) -> archive by SHA-256 -> record the submission with its report (valid
and to be loaded: ``loading``) -> merge with the provider's newest version, write the version file, then one
records transaction makes it visible, links it to the submission and makes the submission a ``draft``.
A load that stops before that commit leaves the submission ``failed`` (see ``recovery``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pivgm.accounts.actor import Actor, Role
from pivgm.accounts.audit import audit, event, operating_system_actor
from pivgm.accounts.clock import utc_now
from pivgm.errors import InvalidParameterError, PermissionDeniedError, PivgmError, SourceFormatError, UploadLimitError
from pivgm.ingest.actions import prepare_deletions, structure_issue, without_structure_only_rows
from pivgm.ingest.mapping import MappedTable, Mapping, apply_mapping, with_label_matching
from pivgm.ingest.readers import RawTable, ReadOptions, read_file
from pivgm.ingest.recipes import Recipe, map_table, read_with_recipe
from pivgm.ingest.report import Issue, Note, Severity, ValidationReport
from pivgm.ingest.suggest import apply_layout, suggest_mapping
from pivgm.ingest.validate import ValidationOutcome, validate
from pivgm.model import Dataflow, DataProvider
from pivgm.platform import Platform
from pivgm.records import NewSubmission, SubmissionInfo, VersionInfo, VersionRecordSpec
from pivgm.warehouse.locks import loading
from pivgm.warehouse.merge import iso_utc, merge_observations, merges_only, stamp_revisions
from pivgm.warehouse.merge_by_codes import merge_and_stamp
from pivgm.warehouse.published import PublishedColumns
from pivgm.workflow.publishing import commit
from pivgm.workflow.review import discarded

Checkpoint = Callable[[str], None]


def _no_checkpoint(stage: str) -> None:
    """Named stages let tests interrupt a load at each one."""


class FileTooLargeError(PivgmError):
    status_code = 413
    exit_code = 1
    code = "file-too-large"


@dataclass(frozen=True)
class SubmissionRequest:
    provider_id: str
    dataflow_id: str
    file_name: str
    content: bytes  # the file's bytes, unless ``path`` holds them
    mapping: Mapping | None = None
    options: ReadOptions = field(default_factory=ReadOptions)
    load: bool = True
    recipe: Recipe | None = None
    actor: Actor | None = None  # who submits (audited); the operating system's user when None
    path: Path | None = None  # the file, read from here instead of ``content`` (never whole in memory twice)

    @property
    def submitter(self) -> Actor:
        return self.actor or operating_system_actor()

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else len(self.content)

    @property
    def file(self) -> bytes | Path:
        return self.path if self.path is not None else self.content


@dataclass(frozen=True)
class SubmissionOutcome:
    submission: SubmissionInfo
    report: ValidationReport
    version: VersionInfo | None = None
    duplicate_of: int | None = None
    mapping: Mapping | None = None
    peak_memory_mb: int | None = None  # of the limited child process that checked and loaded it (``jobs``)


def _unreadable(request: SubmissionRequest, error: SourceFormatError) -> ValidationReport:
    report = ValidationReport(file_name=request.file_name, dataflow_id=request.dataflow_id)
    details = error.details
    report.add(
        [
            Issue(
                type="unreadable-file",
                severity=Severity.ERROR,
                row=details.get("row"),
                column=details.get("column"),
                value=None,
                message_es=f"No se pudo leer el archivo: {error.message}",
                message_en=f"The file could not be read: {error.message}",
            )
        ]
    )
    return report


def _refused(request: SubmissionRequest, issue: Issue) -> ValidationReport:
    report = ValidationReport(file_name=request.file_name, dataflow_id=request.dataflow_id)
    report.add([issue])
    return report


def _read(request: SubmissionRequest, max_rows: int, max_columns: int, recipe: Recipe | None = None) -> RawTable:
    suffix = Path(request.file_name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        if request.path is not None:
            path.symlink_to(request.path.resolve())  # the readers see the name's suffix, without a copy
        else:
            path.write_bytes(request.content)
        options = request.options
        if recipe is not None:
            limits = {"max_rows": options.max_rows or max_rows, "max_columns": options.max_columns or max_columns}
            return read_with_recipe(path, recipe, file_name=request.file_name, sheet=options.sheet, **limits)
        if options.max_rows is None:
            options = ReadOptions(**{**options.__dict__, "max_rows": max_rows})
        if options.max_columns is None:
            options = ReadOptions(**{**options.__dict__, "max_columns": max_columns})
        return read_file(path, options, file_name=request.file_name)


def _recipe_for(platform: Platform, request: SubmissionRequest) -> Recipe | None:
    """The request's recipe, else the provider's saved recipe for the dataflow when no mapping is given."""
    if request.recipe is not None or request.mapping is not None:
        return request.recipe
    saved = platform.submissions.latest_mapping(request.provider_id, request.dataflow_id)
    if saved is None or "recipe" not in saved.spec:
        return None
    return Recipe(saved.spec, f"saved recipe {saved.version} of {request.provider_id} for {request.dataflow_id}")


def _mapping_for(
    platform: Platform, request: SubmissionRequest, raw: RawTable, dataflow: Dataflow
) -> tuple[RawTable, Mapping]:
    """The table in its mapped layout (unpivoted, period joined, when the file needs it) and the mapping:
    the request's, else the provider's saved one, else the suggestion; each fills the gaps of the next."""
    saved = platform.submissions.latest_mapping(request.provider_id, dataflow.id)
    if request.mapping is not None and _complete(request.mapping, raw, dataflow):
        # the focal point said where everything is: only labels they did not map are matched automatically
        return raw, with_label_matching(request.mapping, raw.table, dataflow)
    provider = platform.standard.provider(request.provider_id)
    suggestion = suggest_mapping(raw, dataflow, provider_countries=provider.countries)
    laid_out = apply_layout(raw, suggestion)
    mapping = suggestion.as_mapping()
    if saved is not None:
        mapping = mapping.merged_with(Mapping.from_dict(saved.spec).for_columns(laid_out.table.column_names))
    if request.mapping is not None:
        mapping = mapping.merged_with(request.mapping)
    asks: list[str] = [
        Note(
            f"Several columns could be {component}: "
            + "; ".join(f"{column!r} ({why})" for column, why in options)
            + f". Say which in the mapping or the recipe (columns.{component}).",
            f"Varias columnas podrían ser {component}: "
            + ", ".join(f"«{column}»" for column, _why in options)
            + f". Indique cuál en el mapeo o en la receta (columns.{component}).",
        )
        for component, options in suggestion.candidates.items()
        if component not in mapping.columns
    ]
    return (replace(laid_out, notes=[*asks, *laid_out.notes]) if asks else laid_out), mapping


def _complete(mapping: Mapping, raw: RawTable, dataflow: Dataflow) -> bool:
    """Whether ``mapping`` places every dimension, the period and the value, on columns the file has."""
    structure = dataflow.structure
    needed = [*structure.dimension_ids, structure.time_dimension, structure.measure.id]
    columns = set(raw.table.column_names)
    return all(
        (component in mapping.columns and mapping.columns[component] in columns) or component in mapping.constants
        for component in needed
    )


def _history(platform: Platform, provider_id: str, dataflow: Dataflow) -> PublishedColumns | None:
    """The provider's published observations of the dataflow (for plausibility and revision checks): only
    the key and the value, each column read when a check needs it."""
    structure = dataflow.structure
    wanted = [*structure.dimension_ids, structure.time_dimension, structure.measure.id]
    for version in platform.records.published_versions(dataflow.id):
        if version.provider_id == provider_id:
            return PublishedColumns(platform.warehouse.path(version.parquet_file), wanted)
    return None


def _allowed(provider: DataProvider, dataflow: Dataflow) -> dict[str, frozenset[str]]:
    """The codes a submission may hold: the dataflow's content constraints, and for REF_AREA only the
    provider's own countries (a national provider) within them."""
    allowed = dict(dataflow.constraints)
    if dataflow.structure.dimension("REF_AREA") is not None and provider.countries:
        own = frozenset(provider.countries)
        allowed["REF_AREA"] = own & allowed["REF_AREA"] if "REF_AREA" in allowed else own
    return allowed


def _actions(raw: RawTable, outcome: ValidationOutcome) -> pa.Array | None:
    if raw.actions is None or outcome.source_rows is None:
        return None
    positions = pc.index_in(outcome.source_rows, value_set=pa.array(raw.source_rows, pa.int64()))
    return pc.take(raw.actions, positions)


def submit(
    platform: Platform,
    request: SubmissionRequest,
    checkpoint: Checkpoint = _no_checkpoint,
    on_recorded: Callable[[int], None] | None = None,
    on_archived: Callable[[str], None] | None = None,
) -> SubmissionOutcome:
    """Validate an uploaded file and, if it has no errors and ``load``, load it as a new version.

    Nothing is written until the file is checked, so a file refused or stopped while it is read or validated
    leaves no trace. A valid file to load is recorded as ``loading`` (``on_recorded`` is told its id) and
    becomes ``draft`` with its version in one commit; a load that fails is marked ``failed``, and one that is
    killed is marked so by ``recovery.recover_interrupted_loads``."""
    settings = platform.settings
    size = request.size
    if size > settings.max_upload_mb * 1_000_000:
        raise FileTooLargeError(
            f"{request.file_name} has {size / 1e6:.1f} MB; the limit is "
            f"{settings.max_upload_mb:g} MB. Split it by year or by country and submit the parts.",
            file=request.file_name,
        )
    dataflow = platform.standard.dataflow(request.dataflow_id)
    if dataflow.id in platform.standard.indicators:
        raise InvalidParameterError(
            f"{dataflow.id} is a derived indicator, computed by the platform each time one of its inputs is "
            "published: submit the input dataflows instead (docs/indicators.md).",
            parameter="dataflow",
        )
    provider = platform.standard.provider(request.provider_id)
    checked = check_file(platform, request)
    with loading(settings.data_dir):
        stored = platform.warehouse.archive(request.file, Path(request.file_name).suffix.lower())
        if on_archived is not None and stored.created:
            on_archived(stored.sha256)  # a copy this submission wrote: removed if it is stopped before recorded
        archived = platform.submissions.archive(stored.sha256, request.file_name, size, stored.relative_path)
        earlier = platform.submissions.loaded_with_file(provider.id, dataflow.id, archived.sha256)
        mapping_id = None
        spec = _checked_with(checked)
        if checked.report.valid and checked.mapping is not None and spec is not None:
            saved = event(
                request.submitter, "mapping.saved", f"provider:{provider.id}", {"dataflow": dataflow.id}, at=utc_now()
            )
            mapping_id = platform.submissions.save_mapping(provider.id, dataflow.id, spec, saved).id
        outcome = checked.outcome
        # observations (the conformed table, the largest copy of the file) are built only to be loaded
        loads = request.load and checked.report.valid and outcome is not None and outcome.observations is not None
        result = _record(
            platform, request, archived.sha256, checked.report, mapping_id, earlier, checked.mapping, loads, spec
        )
        if not loads or outcome is None:
            return result
        if on_recorded is not None:
            on_recorded(result.submission.id)
        actions = _actions(checked.raw, outcome) if checked.raw else None
        try:
            version = _load(
                platform, result.submission, dataflow, outcome, actions, archived.sha256, checkpoint, request.submitter
            )
        except BaseException:
            platform.submissions.fail_loads([result.submission.id])
            raise
    submission = platform.submissions.get(result.submission.id) or result.submission
    return SubmissionOutcome(submission, checked.report, version, result.duplicate_of, checked.mapping)


@dataclass(frozen=True)
class CheckedFile:
    report: ValidationReport
    raw: RawTable | None = None
    mapping: Mapping | None = None
    outcome: ValidationOutcome | None = None
    recipe: Recipe | None = None


def check_file(platform: Platform, request: SubmissionRequest) -> CheckedFile:
    """Read, map and validate a file without recording or loading anything (``pivgm validate``).

    A recipe that asks for what the file does not have raises ``RecipeError`` (naming the recipe line)
    before anything is recorded."""
    dataflow = platform.standard.dataflow(request.dataflow_id)
    provider = platform.standard.provider(request.provider_id)
    recipe = _recipe_for(platform, request)
    try:
        settings = platform.settings
        raw = _read(request, settings.max_submission_rows, settings.max_submission_columns, recipe)
    except UploadLimitError:  # refused outright (413), not reported on as a damaged file
        raise
    except SourceFormatError as error:
        return CheckedFile(_unreadable(request, error), recipe=recipe)
    raw, refused = without_structure_only_rows(raw)
    refused = structure_issue(raw, dataflow) or refused
    if refused is not None:
        return CheckedFile(_refused(request, refused), recipe=recipe)
    recipe_notes: list[str] = []
    if recipe is not None:
        if recipe.data.get("provider") and recipe.data["provider"] != provider.id:
            wanted = recipe.data["provider"]
            raise recipe.error("other-provider", "provider", recipe_provider=wanted, provider=provider.id)
        refined: list[RawTable] = []  # the prepared table with attribute-only deletions told apart

        def adjust(mapped: MappedTable, prepared: RawTable) -> MappedTable:
            mapped, prepared = prepare_deletions(mapped, prepared, dataflow)
            refined.append(prepared)
            return mapped

        applied = map_table(raw, recipe, dataflow, adjust)
        raw, mapping, mapped, recipe_notes = applied.raw, applied.mapping, applied.mapped, applied.notes
        raw = refined[-1] if refined else raw
    else:
        raw, mapping = _mapping_for(platform, request, raw, dataflow)
        mapped, raw = prepare_deletions(apply_mapping(raw.table, raw.source_rows, mapping, dataflow), raw, dataflow)
    outcome = validate(
        mapped,
        dataflow,
        file_name=request.file_name,
        decimal=mapping.decimal or raw.detected.get("decimal", "."),
        allowed=_allowed(provider, dataflow),
        history=_history(platform, provider.id, dataflow),
    )
    outcome.report.notes[:0] = recipe_notes
    outcome.report.notes.extend(raw.notes)
    if request.size > settings.max_upload_mb * 1_000_000:  # ``pivgm validate`` checks any size; submit refuses
        outcome.report.notes.append(_over_the_limit(request.size, settings.max_upload_mb))
    return CheckedFile(outcome.report, raw, mapping, outcome, recipe)


def _over_the_limit(size: int, limit_mb: float) -> Note:
    return Note(
        f"This file has {size / 1e6:,.1f} MB and submissions are limited to {limit_mb:,g} MB "
        "(PIVGM_MAX_UPLOAD_MB): submitting it will be refused. Split it by year or by country, or ask the "
        "administrator to raise the limit.",
        f"Este archivo tiene {size / 1e6:,.1f} MB y los envíos están limitados a {limit_mb:,g} MB "
        "(PIVGM_MAX_UPLOAD_MB): su envío será rechazado. Divídalo por año o por país, o pida al administrador "
        "que aumente el límite.",
    )


def _checked_with(checked: CheckedFile) -> dict[str, Any] | None:
    """The recipe (or mapping) the file was read with, as saved."""
    if checked.recipe is not None:
        return dict(checked.recipe.data)
    return checked.mapping.to_dict() if checked.mapping is not None else None


def _record(
    platform: Platform,
    request: SubmissionRequest,
    sha256: str,
    report: ValidationReport,
    mapping_id: int | None,
    earlier: SubmissionInfo | None,
    mapping: Mapping | None = None,
    loads: bool = False,
    checked_with: dict[str, Any] | None = None,
) -> SubmissionOutcome:
    """Record the submission; its report keeps the recipe it was checked with (``recipe``), also when the file
    is invalid and the recipe is not saved as the provider's, so that the mapping page can reopen it."""
    if earlier is not None:
        report.notes.append(
            Note(
                f"The same file was already loaded by submission {earlier.id}.",
                f"El mismo archivo ya se cargó con el envío {earlier.id}.",
            )
        )
    submission = platform.submissions.add(
        NewSubmission(
            provider_id=request.provider_id,
            dataflow_id=request.dataflow_id,
            file_sha256=sha256,
            mapping_id=mapping_id,
            status=("loading" if loads else "validated") if report.valid else "invalid",
            row_count=report.rows,
            error_count=report.error_count,
            warning_count=report.warning_count,
            report={**report.to_dict(), **({"recipe": checked_with} if checked_with is not None else {})},
            created_by=request.submitter.username,
        ),
        lambda submission: event(
            request.submitter,
            "submission.uploaded",
            f"submission:{submission.id}",
            {
                "provider": submission.provider_id,
                "dataflow": submission.dataflow_id,
                "file": submission.file_name,
                "sha256": sha256,
                "rows": report.rows,
                "errors": report.error_count,
                "load": request.load,
                "recipe": request.recipe is not None,
            },
            at=utc_now(),
        ),
    )
    return SubmissionOutcome(submission, report, None, earlier.id if earlier else None, mapping)


def merge_base(platform: Platform, dataflow_id: str, provider_id: str) -> VersionInfo | None:
    """The provider's data a new submission applies to: its newest version that was not set aside (see
    ``review.discarded``), whether published, embargoed or still in review."""
    reviewed = {r.version.id: r for r in platform.records.reviewed_versions(dataflow_id, [provider_id])}
    versions = [v for v in platform.records.versions(dataflow_id) if v.provider_id == provider_id]
    for version in sorted(versions, key=lambda v: v.id, reverse=True):
        review = reviewed.get(version.id)
        if review is None or not discarded(review.state, review.last_action):
            return version
    return None


def _load(
    platform: Platform,
    submission: SubmissionInfo,
    dataflow: Dataflow,
    outcome: ValidationOutcome,
    actions: pa.Array | None,
    sha256: str,
    checkpoint: Checkpoint,
    actor: Actor,
) -> VersionInfo:
    """Merge the observations into the provider's data and record the new version, with its audit row; merged
    again when another version of the provider was recorded meanwhile (``publishing.commit``)."""
    assert outcome.observations is not None
    structure = dataflow.structure
    keys = [*structure.dimension_ids, structure.time_dimension]

    def build() -> tuple[str, int, int | None]:
        newest = [v.id for v in platform.records.versions(dataflow.id) if v.provider_id == submission.provider_id]
        earlier = merge_base(platform, dataflow.id, submission.provider_id)
        base = platform.warehouse.path(earlier.parquet_file) if earlier else None
        now = iso_utc(platform.clock())
        merged = None
        if base is not None and merges_only(actions):  # the usual revision: on integer key codes
            merged = merge_and_stamp(base, outcome.observations, keys, structure.measure.id, now)
        if merged is None:
            merged = merge_observations(
                base, outcome.observations, actions, structure.dimension_ids, structure.time_dimension
            )
            merged = stamp_revisions(base, merged, keys, structure.measure.id, now)
        checkpoint("merged")
        stored = platform.warehouse.write_version(dataflow.id, merged)
        checkpoint("version-written")
        return stored.relative_path, stored.row_count, max(newest, default=None)

    def write(built: tuple[str, int, int | None]) -> VersionInfo:
        parquet_file, rows, newest_seen = built
        details = {"dataflow": dataflow.id, "provider": submission.provider_id, "observations": rows}
        return platform.submissions.record_loaded_version(
            submission.id,
            VersionRecordSpec(
                dataflow_id=dataflow.id,
                provider_id=submission.provider_id,
                source=f"submission:{submission.id}",
                source_files=[{"name": submission.file_name, "sha256": sha256}],
                input_sha256=sha256,
                parquet_file=parquet_file,
                row_count=rows,
            ),
            newest_seen,
            event(actor, "submission.loaded", f"submission:{submission.id}", details, at=utc_now()),
        )

    version = commit(build, write)
    checkpoint("committed")
    return version


def authorize_upload(platform: Platform, actor: Actor, provider_id: str, dataflow_id: str) -> None:
    """Only a national submitter of the provider (or an administrator) uploads for it; refusals are audited."""
    provider = platform.standard.provider(provider_id)
    platform.standard.dataflow(dataflow_id)
    if not actor.has(Role.NATIONAL_SUBMITTER, provider.id):
        audit(
            platform,
            actor,
            "permission.denied",
            f"provider:{provider.id}",
            {"action": "upload", "dataflow": dataflow_id},
        )
        raise PermissionDeniedError(
            f"{actor.username} may not submit data for {provider.id}: that needs the national_submitter role "
            "for this provider.",
            provider=provider.id,
        )
