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
        "disaggregation_pct": round(row.disaggregation_pct, 2) if row.disaggregation_pct is not None else None,
        "disaggregations": {
            dimension: {"periods": facts.disaggregated.get(dimension, 0), "pct": round(share, 2)}
            for dimension, share in row.disaggregation.items()
        },
        "warnings_accepted": row.warnings_accepted,
        "warnings_by_rule": row.warnings,
    }


@router.get(
    "/api/quality",
    summary="Data-quality scorecard per dataflow, provider and frequency",
    description="Completeness (distinct periods reported against the periods from the first to the last), "
    "timeliness (days from the end of the last period to the loading of the published version), revisions "
    "(observations whose value changed after the provider first published them), disaggregation (per dimension "
    "the dataflow is expected to break down, periods broken down against periods reported) and the warnings "
    "accepted at validation (null: loaded from a source, not validated as a submission), on what is published now. "
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

    areas = catalog.standard.codelist("CL_AREA")
    language = request_language(request)
    reporting = sorted({c for p in catalog.standard.providers.values() for c in p.countries})
    countries = [(c, found.name.get(language)) for c in reporting if (found := areas.get(c)) is not None]
    return render(
        request,
        "quality.html",
        twin,
        rows=rows,
        country=country,
        country_name=title,
        frequency=frequency,
        countries=countries,
    )
