"""The guided upload, page by page (each a plain form, so it works without JavaScript): choose the
dataflow -> upload the file -> see its first rows as read (sheet, header rows) -> map its columns with
dropdowns -> validate and load -> the report, from where the draft is sent for approval."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from pivgm.accounts.actor import Actor, Role
from pivgm.errors import InvalidParameterError
from pivgm.ingest.recipes import RecipeError
from pivgm.model import Dataflow
from pivgm.web.dependencies import MAX_RECORD_ID, PlatformDep
from pivgm.web.i18n import request_language
from pivgm.web.rendering import render
from pivgm.web.routers.submissions import copy_limited
from pivgm.web.security import CsrfDep, UserDep, csrf_token
from pivgm.workflow import drafts
from pivgm.workflow.jobs import JobLimits, call_limited, run_limited
from pivgm.workflow.row_filters import OPERATORS, RowCondition, parse_conditions
from pivgm.workflow.submissions import SubmissionRequest

router = APIRouter(include_in_schema=False)

HEADER_CHOICES = (1, 2, 3)


def submitter_providers(platform: PlatformDep, actor: Actor) -> list[str]:
    """The providers the person may submit for (every national provider for an administrator)."""
    if actor.has(Role.ADMINISTRATOR):
        return sorted(p.id for p in platform.standard.providers.values() if p.countries)
    return sorted(actor.providers(Role.NATIONAL_SUBMITTER))


def _flows_by_theme(platform: PlatformDep, language: str) -> list[tuple[str, list[Dataflow]]]:
    groups: dict[str, list[Dataflow]] = defaultdict(list)
    for dataflow in platform.standard.dataflows.values():
        if dataflow.id not in platform.standard.indicators:  # computed, never submitted
            groups[dataflow.theme].append(dataflow)
    return [
        (theme, sorted(flows, key=lambda d: d.name.get(language)))
        for theme, flows in sorted(groups.items(), key=lambda item: item[0])
    ]


def _step_query(provider: str, dataflow: str, **more: str | int | None) -> str:
    items = {"provider": provider, "dataflow": dataflow, **{k: v for k, v in more.items() if v not in (None, "")}}
    return urlencode(items)


@router.get("/submit", response_class=HTMLResponse)
def choose_page(request: Request, platform: PlatformDep, actor: UserDep) -> HTMLResponse:
    language = request_language(request)
    providers = submitter_providers(platform, actor)
    return render(
        request,
        "upload_choose.html",
        "/api/dataflows",
        step=1,
        providers=[platform.standard.provider(p) for p in providers],
        themes=_flows_by_theme(platform, language),
    )


@router.get("/submit/upload", response_class=HTMLResponse)
def upload_page(request: Request, platform: PlatformDep, actor: UserDep, provider: str, dataflow: str) -> HTMLResponse:
    drafts.authorize_upload(platform, actor, provider, dataflow)
    return render(
        request,
        "upload_file.html",
        "/api/dataflows",
        step=2,
        provider=platform.standard.provider(provider),
        dataflow=platform.standard.dataflow(dataflow),
        csrf=csrf_token(request),
        max_mb=platform.settings.max_upload_mb,
    )


@router.post("/submit/upload")
async def upload_file(
    platform: PlatformDep,
    actor: UserDep,
    _: CsrfDep,
    file: Annotated[UploadFile, File()],
    provider: Annotated[str, Form()],
    dataflow: Annotated[str, Form()],
    lang: Annotated[str, Form()] = "",
) -> RedirectResponse:
    name = file.filename or "upload"
    drafts.authorize_upload(platform, actor, provider, dataflow)
    with tempfile.NamedTemporaryFile(prefix="pivgm-upload-") as copy:
        await copy_limited(file, copy, platform.settings.max_upload_mb * 1_000_000, name)
        stage = partial(drafts.stage, platform, actor, provider, dataflow, name, Path(copy.name))
        sha256 = await anyio.to_thread.run_sync(stage)  # hashed and archived in chunks, off the event loop
    return RedirectResponse(f"/submit/file/{sha256}?{_step_query(provider, dataflow, lang=lang)}", status_code=303)


def _header_rows(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit() or int(text) not in HEADER_CHOICES:
        raise InvalidParameterError("header_rows is 1, 2 or 3.", parameter="header_rows")
    return int(text)


@router.get("/submit/file/{sha256}", response_class=HTMLResponse)
def preview_page(
    request: Request,
    platform: PlatformDep,
    actor: UserDep,
    sha256: str,
    provider: str,
    dataflow: str,
    sheet: str = "",
    header_rows: str = "",
) -> HTMLResponse:
    file = drafts.staged(platform, actor, provider, dataflow, sha256)
    chosen_rows = _header_rows(header_rows)
    shown = call_limited(platform.settings, file.file_name, drafts.preview, file, sheet or None, chosen_rows)
    return render(
        request,
        "upload_preview.html",
        "/api/dataflows",
        step=3,
        file=file,
        preview=shown,
        provider=platform.standard.provider(provider),
        dataflow=platform.standard.dataflow(dataflow),
        sheet=sheet or shown.detected.get("sheet", ""),
        header_rows=header_rows or shown.detected.get("header_rows", ""),
        header_choices=HEADER_CHOICES,
        next_query=_step_query(provider, dataflow, sheet=sheet, header_rows=header_rows),
    )


def _mapping_view(
    request: Request,
    platform: PlatformDep,
    actor: Actor,
    sha256: str,
    choices: dict[str, str],
    chosen: dict[str, str] | None = None,
    conditions: Sequence[RowCondition] = (),
    typed: drafts.Choices | None = None,
    error: str = "",
    error_key: str = "",
    use_saved: bool = False,
    attempt: int | None = None,
) -> HTMLResponse:
    """The mapping page. ``use_saved``: start from the provider's saved recipe, or with ``attempt`` from the
    recipe submission ``attempt`` was checked with (an invalid one included)."""
    provider, dataflow = choices.get("provider", ""), choices.get("dataflow", "")
    file = drafts.staged(platform, actor, provider, dataflow, sha256)
    flow = platform.standard.dataflow(dataflow)
    sheet, header_rows = choices.get("sheet", ""), choices.get("header_rows", "")
    attempted = (
        drafts.attempted_recipe(platform, actor, attempt, provider, dataflow, sha256) if attempt is not None else None
    )
    saved = drafts.saved_recipe(platform, provider, dataflow) if use_saved and attempted is None else None
    model = call_limited(
        platform.settings,
        file.file_name,
        drafts.editor,
        file,
        provider,
        flow,
        sheet or None,
        _header_rows(header_rows),
        chosen,
        conditions,
        typed,
        attempted if attempted is not None else (saved[1] if saved else None),
    )
    language = request_language(request)
    return render(
        request,
        "upload_mapping.html",
        "/api/dataflows",
        step=4,
        file=file,
        editor=model,
        provider=platform.standard.provider(provider),
        dataflow=flow,
        sheet=sheet,
        header_rows=header_rows,
        csrf=csrf_token(request),
        operators=OPERATORS,
        error=error,
        error_key=error_key,
        saved_version=saved[0] if saved else None,
        attempt=attempt if attempted is not None else None,
        component_name=lambda component: _component_name(flow, component, language),
        code_label=lambda code: f"{code.id} · {code.name.get(language)}",
    )


async def _mapping_view_in_thread(
    request: Request,
    platform: PlatformDep,
    actor: Actor,
    sha256: str,
    choices: dict[str, str],
    chosen: dict[str, str],
    conditions: Sequence[RowCondition],
    typed: drafts.Choices,
    error: str = "",
    key: str = "",
) -> HTMLResponse:
    """The mapping page drawn off the event loop (the file is read in a limited child, which takes a while)."""
    draw = partial(_mapping_view, request, platform, actor, sha256, choices, chosen, conditions, typed, error, key)
    return await anyio.to_thread.run_sync(draw)


@router.get("/submit/file/{sha256}/mapping", response_class=HTMLResponse)
def mapping_page(
    request: Request,
    platform: PlatformDep,
    actor: UserDep,
    sha256: str,
    submission: Annotated[int | None, Query(ge=1, le=MAX_RECORD_ID)] = None,
) -> HTMLResponse:
    """The mapping editor; ``submission`` (the report's "fix the columns") reopens that attempt's choices."""
    choices = {k: v for k, v in request.query_params.items() if k in ("provider", "dataflow", "sheet", "header_rows")}
    return _mapping_view(request, platform, actor, sha256, choices, use_saved=True, attempt=submission)


def _component_name(dataflow: Dataflow, component: str, language: str) -> str:
    structure = dataflow.structure
    found = structure.dimension(component) or structure.attribute(component)
    if found is not None and found.name.get(language):
        return f"{found.name.get(language)} ({component})"
    if component == structure.measure.id:
        return f"{structure.measure.name.get(language) or component} ({component})"
    return component


def _choices(form: FormData, prefix: str) -> dict[str, str]:
    return {str(k)[len(prefix) :]: str(v) for k, v in form.multi_items() if str(k).startswith(prefix)}


def _value_choices(form: FormData) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for key, code in _choices(form, "value:").items():
        component, _colon, label = key.partition(":")
        values[component][label] = code
    return dict(values)


def _conditions(form: FormData) -> list[RowCondition]:
    """The form's rows-kept conditions, numbered ``filter_column:N``, ``filter_op:N``, ``filter_values:N``."""
    rows = []
    for key, column in form.multi_items():
        if not str(key).startswith("filter_column:"):
            continue
        number = str(key).partition(":")[2]
        values = [str(v) for v in form.getlist(f"filter_values:{number}") if str(v)]
        rows.append((str(column), str(form.get(f"filter_op:{number}") or ""), values))
    return parse_conditions(rows)


@router.post("/submit/file/{sha256}/check")
async def check_page(
    request: Request,
    platform: PlatformDep,
    actor: UserDep,
    _: CsrfDep,
    sha256: str,
) -> Response:
    form = await request.form()
    choices = {k: str(form.get(k) or "") for k in ("provider", "dataflow", "sheet", "header_rows")}
    provider, dataflow = choices["provider"], choices["dataflow"]
    conditions = _conditions(form)
    roles = _choices(form, "role:")
    typed = drafts.Choices(_value_choices(form), _choices(form, "const:"))
    redraw = partial(_mapping_view_in_thread, request, platform, actor, sha256, choices, roles, conditions, typed)
    if form.get("refresh"):
        return await redraw()
    problems = [condition.problem for condition in conditions if condition.problem]
    if problems:
        return await redraw(key=problems[0])
    file = drafts.staged(platform, actor, provider, dataflow, sha256)
    flow = platform.standard.dataflow(dataflow)
    sheet, header_rows = choices["sheet"] or None, _header_rows(choices["header_rows"])
    read = partial(call_limited, platform.settings, file.file_name, drafts.editor, file, provider, flow, sheet)
    model = await anyio.to_thread.run_sync(partial(read, header_rows, roles))
    recipe = drafts.recipe_from_choices(provider, flow, model.layout, roles, typed.values, typed.constants, conditions)
    job = SubmissionRequest(
        provider_id=provider,
        dataflow_id=dataflow,
        file_name=file.file_name,
        content=b"",
        recipe=recipe,
        actor=actor,  # audited as submission.uploaded with the submission's record
    )
    run = partial(run_limited, platform.settings, file.path, job, JobLimits.from_settings(platform.settings))
    try:
        outcome = await anyio.to_thread.run_sync(run)  # checked and loaded in a limited child process
    except RecipeError as problem:  # the choices ask for what the file does not have: say so on the page
        message = problem.text(request_language(request))
        return await redraw(message)
    target = f"/submissions/{outcome.submission.id}/report?lang={request_language(request)}"
    return RedirectResponse(target, status_code=303)
