"""The public data-quality scorecard: JSON at ``/api/quality``, the page at ``/quality`` (``?country=`` for
one country's providers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from pivgm.catalog.quality import Quality, QualityRow
from pivgm.errors import NotFoundError
from pivgm.web.dependencies import CatalogDep
from pivgm.web.i18n import request_language
from pivgm.web.rendering import render

router = APIRouter(tags=["quality"])

CountryQuery = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3 code")]


def _quality(request: Request) -> Quality:
    """One scorecard service per app: a version's facts are read once."""
    service: Quality | None = getattr(request.app.state, "quality", None)
    if service is None:
        service = request.app.state.quality = Quality(request.app.state.catalog)
    return service


def _checked(catalog: CatalogDep, country: str | None) -> None:
    if country is not None and country not in catalog.standard.codelist("CL_AREA"):
        raise NotFoundError(f"{country!r} is not a code of CL_AREA.", codelist="CL_AREA", area=country)


def row_public(row: QualityRow) -> dict[str, Any]:
    facts = row.facts
    return {
        "dataflow": row.dataflow.id,
        "provider": row.provider_id,
        "provider_name": row.provider_name,
        "frequency": facts.frequency,
        "observations": facts.observations,
        "with_value": facts.with_value,
        "flagged": facts.flagged,
        "periods": facts.periods,
        "expected_periods": facts.expected,
        "completeness_pct": round(row.completeness, 2),
        "last_period": facts.last_period,
        "loaded_at": row.loaded_at.isoformat(),
        "timeliness_days": row.timeliness_days,
        "revised": facts.revised,
        "revised_pct": round(row.revised_share, 3),
    }


@router.get(
    "/api/quality",
    summary="Data-quality scorecard per dataflow, provider and frequency",
    description="Completeness (distinct periods reported against the periods from the first to the last), "
    "timeliness (days from the end of the last period to the loading of the published version) and revisions "
    "(observations whose value changed after the provider first published them), on what is published now. "
    "`country` keeps the providers that report for that country.",
)
def get_quality(request: Request, catalog: CatalogDep, country: CountryQuery = None) -> dict[str, Any]:
    _checked(catalog, country)
    return {"country": country, "rows": [row_public(r) for r in _quality(request).scorecard(country)]}


@router.get("/quality", response_class=HTMLResponse, include_in_schema=False)
def quality_page(request: Request, catalog: CatalogDep, country: CountryQuery = None) -> HTMLResponse:
    _checked(catalog, country)
    rows = _quality(request).scorecard(country)
    area = catalog.standard.codelist("CL_AREA").get(country) if country else None
    title = area.name.get(request_language(request)) if area else None
    twin = "/api/quality" + (f"?country={country}" if country else "")
    frequencies = catalog.standard.codelist("CL_FREQ")

    def frequency(code: str) -> str:
        found = frequencies.get(code)
        return found.name.get(request_language(request)) if found else code

    return render(request, "quality.html", twin, rows=rows, country=country, country_name=title, frequency=frequency)
