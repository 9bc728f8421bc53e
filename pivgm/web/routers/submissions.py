"""Submissions API: upload a file in the national layout, get its validation report (JSON, CSV, HTML)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from functools import partial
from pathlib import Path
from typing import IO, Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from pivgm.errors import InvalidParameterError
from pivgm.ingest.mapping import Mapping
from pivgm.ingest.recipes import RecipeError
from pivgm.ingest.report import ValidationReport
from pivgm.web.dependencies import MAX_RECORD_ID, PlatformDep, RecordId
from pivgm.web.downloads import Sheet, write_xlsx
from pivgm.web.i18n import messages, request_language
from pivgm.web.rendering import render
from pivgm.web.security import CsrfDep, UserDep, csrf_token
from pivgm.workflow import drafts
from pivgm.workflow.inbox import submission_view
from pivgm.workflow.jobs import JobLimits, call_limited, run_limited
from pivgm.workflow.recipes import requested_recipe
from pivgm.workflow.submissions import (
    FileTooLargeError,
    SubmissionOutcome,
    SubmissionRequest,
    authorize_upload,
)
from pivgm.workflow.transitions import visible_submission

router = APIRouter(prefix="/api/submissions", tags=["submissions"])
pages = APIRouter(include_in_schema=False)

CHUNK = 1 << 20
RECIPE_FIELD = (
    "Recipe (optional, instead of a mapping; see docs/submissions.md): the name of a shipped recipe (e.g. "
    "cbp_sbo_encounters), 'saved' for the provider's latest saved recipe for the dataflow, or the recipe's YAML "
    "text. A recipe that cannot be used is a 422 with code invalid-recipe, its line, and the message in Spanish "
    "and English (error.messages.es, error.messages.en); nothing is recorded."
)


def _public(outcome_or_info: Any, report: ValidationReport) -> dict[str, Any]:
    submission = outcome_or_info.submission if isinstance(outcome_or_info, SubmissionOutcome) else outcome_or_info
    body: dict[str, Any] = {
        "id": submission.id,
        "provider": submission.provider_id,
        "dataflow": submission.dataflow_id,
        "file": {"name": submission.file_name, "sha256": submission.file_sha256},
        "status": submission.status,
        "version": submission.version_id,
        "created_at": submission.created_at.isoformat(),
        "report": report.to_dict(),
        "links": {
            "self": f"/api/submissions/{submission.id}",
            "report_csv": f"/api/submissions/{submission.id}/report?format=csv",
            "report_html": f"/submissions/{submission.id}/report",
        },
    }
    if isinstance(outcome_or_info, SubmissionOutcome):
        body["duplicate_of"] = outcome_or_info.duplicate_of
        if outcome_or_info.mapping is not None:
            body["mapping"] = outcome_or_info.mapping.to_dict()
        if outcome_or_info.peak_memory_mb is not None:  # how close the upload came to the memory limit
            body["processing"] = {"peak_memory_mb": outcome_or_info.peak_memory_mb}
    return body


async def copy_limited(upload: UploadFile, target: IO[bytes], limit_bytes: float, name: str) -> None:
    """Copy the upload to ``target`` in chunks (never whole in the worker's memory), refusing it past the cap."""
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit_bytes:
            raise FileTooLargeError(
                f"{name} is larger than the limit of {limit_bytes / 1e6:g} MB. Split it by year or by country.",
                file=name,
            )
        target.write(chunk)
    target.flush()


def _mapping(text: str | None) -> Mapping | None:
    if not text:
        return None
    try:
        return Mapping.from_dict(json.loads(text))
    except (ValueError, AttributeError, TypeError) as error:
        raise InvalidParameterError(
            f"The mapping is not valid JSON of the form "
            f'{{"columns": {{...}}, "values": {{...}}, "constants": {{...}}}} ({error}).',
            parameter="mapping",
        ) from None


@router.post("", summary="Upload a file for a dataflow: validate it and, if it has no errors, load it", status_code=201)
async def create_submission(
    request: Request,
    platform: PlatformDep,
    actor: UserDep,
    _: CsrfDep,
    file: Annotated[UploadFile, File(description="CSV, TSV, XLSX, XLS, SDMX-CSV or SDMX-ML file")],
    dataflow: Annotated[str, Form(description="Dataflow id, e.g. DF_IRREGULAR_TRANSIT")],
    provider: Annotated[str, Form(description="Provider id, e.g. MX_UPM")],
    mapping: Annotated[str | None, Form(description="Mapping as JSON (optional; the saved one is reused)")] = None,
    load: Annotated[bool, Form(description="Load when valid (false: validate only)")] = True,
    recipe: Annotated[str | None, Form(description=RECIPE_FIELD)] = None,
) -> dict[str, Any]:
    limit = platform.settings.max_upload_mb * 1_000_000
    declared = request.headers.get("content-length")
    name = file.filename or "upload"
    if declared and declared.isdigit() and int(declared) > limit + 1_000_000:
        raise FileTooLargeError(f"{name} is larger than the limit of {limit / 1e6:g} MB.", file=name)
    authorize_upload(platform, actor, provider, dataflow)
    if recipe and mapping:
        raise RecipeError("recipe-and-mapping", recipe="recipe", line=None)
    chosen = requested_recipe(platform, recipe, provider, dataflow) if recipe else None
    job = SubmissionRequest(
        provider_id=provider,
        dataflow_id=dataflow,
        file_name=name,
        content=b"",
        mapping=_mapping(mapping),
        recipe=chosen,
        load=load,
        actor=actor,
    )
    with tempfile.NamedTemporaryFile(prefix="pivgm-upload-") as copy:
        await copy_limited(file, copy, limit, name)
        settings = platform.settings
        run = partial(run_limited, settings, Path(copy.name), job, JobLimits.from_settings(settings))
        outcome = await anyio.to_thread.run_sync(run)  # checked and loaded in a limited child process
    return _public(outcome, outcome.report)


@router.get("/{submission_id}", summary="A submission with its validation report")
def get_submission(submission_id: RecordId, platform: PlatformDep, actor: UserDep) -> dict[str, Any]:
    submission = visible_submission(platform, actor, submission_id)
    return _public(submission, ValidationReport.from_dict(submission.report))


@router.get("/{submission_id}/report", summary="The validation report as JSON, CSV or XLSX", response_model=None)
def get_report(
    submission_id: RecordId,
    request: Request,
    platform: PlatformDep,
    actor: UserDep,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> Response | dict[str, Any]:
    submission = visible_submission(platform, actor, submission_id)
    report = ValidationReport.from_dict(submission.report)
    if format == "xlsx":
        rows = list(csv.reader(io.StringIO(report.to_csv(request_language(request)))))
        about = [
            ("file", submission.file_name),
            ("dataflow", submission.dataflow_id),
            ("provider", submission.provider_id),
        ]
        sheet = Sheet(rows[0], rows[1:], about, "report")
        return Response(
            write_xlsx(sheet),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="submission-{submission_id}-report.xlsx"'},
        )
    if format == "csv":
        return PlainTextResponse(
            report.to_csv(request_language(request)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="submission-{submission_id}-report.csv"'},
        )
    return report.to_dict()


@pages.get("/submissions/{submission_id}/report", response_class=HTMLResponse)
def report_page(submission_id: RecordId, request: Request, platform: PlatformDep, actor: UserDep) -> HTMLResponse:
    view = submission_view(platform, actor, submission_id)
    report = ValidationReport.from_dict(view.submission.report)
    return render(
        request,
        "report.html",
        f"/api/submissions/{submission_id}",
        submission=view.submission,
        view=view,
        report=report,
        csrf=csrf_token(request),
        rule_key=lambda rule: f"rule_{rule}" if f"rule_{rule}" in messages() else "rule_other",
    )


@pages.get("/submissions/{submission_id}/rows", response_class=HTMLResponse)
def rows_page(
    submission_id: RecordId,
    request: Request,
    platform: PlatformDep,
    actor: UserDep,
    row: Annotated[int, Query(ge=1, le=MAX_RECORD_ID)] = 1,
) -> HTMLResponse:
    """The rows of the submitted file around one a report names (report rows link here)."""
    submission = visible_submission(platform, actor, submission_id)
    shown = call_limited(platform.settings, submission.file_name, drafts.rows_around, submission.file_sha256, row)
    return render(
        request, "file_rows.html", f"/api/submissions/{submission_id}", submission=submission, preview=shown, row=row
    )
