"""The public data explorer: catalog and search, explorer views, embeds, downloads, country profiles.

Each page makes one call to the public site's services; the page models and templates only format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from pivgm.catalog.state import from_form
from pivgm.errors import InvalidParameterError, PivgmError
from pivgm.web.downloads import WRITERS
from pivgm.web.explorer_page import explorer_page, explorer_url
from pivgm.web.headers import content_security_policy, vary
from pivgm.web.i18n import request_language
from pivgm.web.labels import page_labels
from pivgm.web.profile_store import country_page_of
from pivgm.web.public import SiteDep, profile_store, public_base
from pivgm.web.rendering import render

router = APIRouter(include_in_schema=False)
PAGE_PARAMETERS = {"lang", "locale"}
FRAGMENT_HEADER = "HX-Request"  # sent by the explorer's script when a filter changes (htmx)


def wants_fragment(request: Request) -> bool:
    """Whether the explorer's script asks for the view alone (to swap it into the page it has), not for a
    page: a filter change. A browser without the script, a shared link or a history reload gets the page."""
    headers = request.headers
    return headers.get(FRAGMENT_HEADER) == "true" and "HX-History-Restore-Request" not in headers


def query_of(request: Request, skip: set[str] = PAGE_PARAMETERS) -> dict[str, list[str]]:
    params = request.query_params
    return {name: params.getlist(name) for name in params if name not in skip}


def html_errors(request: Request, make: Callable[[], HTMLResponse], json_twin: str) -> HTMLResponse:
    """Pages show a domain error as a page (what is wrong, how to fix it) with its status."""
    try:
        return make()
    except PivgmError as error:
        return render(request, "error.html", json_twin, status_code=error.status_code, error=error)


@router.get("/catalog", response_class=HTMLResponse)
def catalog(request: Request, site: SiteDep, q: str = "", theme: str | None = None) -> HTMLResponse:
    page = site.catalog_page(q, theme or None)
    return render(request, "catalog.html", "/api/dataflows", page=page, areas=site.areas)


@router.get("/explore/{dataflow_id}", response_class=HTMLResponse)
def explore(dataflow_id: str, request: Request, site: SiteDep) -> Response:
    """The explorer page; asked by the explorer's script after a filter change (``HX-Request: true``), the
    view alone (chart, table, description) and the filters' counts, for the same state."""
    query = query_of(request)
    if from_form(query):  # the filter form: redirect to the canonical, shareable URL of the same view
        try:
            state = site.explorer.state(dataflow_id, query)
        except PivgmError:
            pass  # the page explains the error
        else:
            return RedirectResponse(explorer_url(state, request_language(request)), status_code=303)

    def make() -> HTMLResponse:
        view = site.explore(dataflow_id, query_of(request))
        labels = page_labels(view.dataflow, request)
        counts = site.explorer.release_counts(dataflow_id)
        hierarchies = tuple(site.catalog.standard.hierarchies.values())
        tabs = site.explorer.tabs(view)
        page = explorer_page(view, labels, public_base(request), counts, hierarchies, tab_states=tabs)
        template = "explorer_fragment.html" if wants_fragment(request) else "explorer.html"
        response = render(request, template, page.api_url, page=page)
        vary(response.headers, (FRAGMENT_HEADER,))  # one address, two answers: caches must tell them apart
        return response

    return html_errors(request, make, f"/api/dataflows/{dataflow_id}")


@router.get("/explore/{dataflow_id}/embed", response_class=HTMLResponse)
def embed(dataflow_id: str, request: Request, site: SiteDep) -> HTMLResponse:
    def make() -> HTMLResponse:
        view = site.explore(dataflow_id, query_of(request))
        labels = page_labels(view.dataflow, request)
        page = explorer_page(view, labels, public_base(request), {})
        response = render(request, "embed.html", page.api_url, page=page)
        response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors="*")
        return response

    return html_errors(request, make, f"/api/dataflows/{dataflow_id}")


@router.get("/explore/{dataflow_id}/download")
def download(
    dataflow_id: str,
    request: Request,
    site: SiteDep,
    format: Annotated[str, Query(description="csv, xlsx, sdmx-csv or zip")] = "csv",
    scope: Annotated[
        str,
        Query(description="view (the table on screen), long (the selection's observations) or full (the dataflow)"),
    ] = "view",
) -> Response:
    writer = WRITERS.get(format)
    if writer is None:
        raise InvalidParameterError(
            f"Format {format!r} is not offered; use one of {', '.join(WRITERS)}.", parameter="format"
        )
    if scope not in ("view", "long", "full"):
        raise InvalidParameterError(f"Scope {scope!r} is not valid; use view, long or full.", parameter="scope")
    full = scope == "full"
    result = site.download(dataflow_id, query_of(request, {*PAGE_PARAMETERS, "format", "scope"}), full)
    labels = page_labels(result.view.dataflow, request)
    link = public_base(request) + explorer_url(result.view.state, labels.language)
    content = writer.write(result, labels, link, scope)
    name = f"{dataflow_id}{'' if full else '-' + scope}.{writer.extension}"
    return Response(
        content, media_type=writer.media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/countries", response_class=HTMLResponse)
def countries(request: Request, site: SiteDep) -> HTMLResponse:
    region, others = site.countries()
    return render(request, "countries.html", "/api/dataflows", region=region, others=others)


@router.get("/country/{code}", response_class=HTMLResponse)
def country(code: str, request: Request, site: SiteDep) -> Response:
    """A country's profile; ``?format=json`` gives its JSON twin (each block's figures and API query). Both
    are kept on disk once per publication; the page's chrome is added for each request."""
    language = request_language(request)
    if request.query_params.get("format") == "json":
        stored, how = country_page_of(site, profile_store(request), code, language)
        return JSONResponse(stored.public, headers={"Server-Timing": f'profile;desc="{how}"'})

    def make() -> HTMLResponse:
        page, how = country_page_of(site, profile_store(request), code, language)
        response = render(request, "country.html", f"/country/{page.code}?format=json", page=page)
        response.headers["Server-Timing"] = f'profile;desc="{how}"'  # computed now, or stored (by whom)
        return response

    return html_errors(request, make, f"/country/{code}?format=json")
