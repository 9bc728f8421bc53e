"""Mirror statistics: the same flow as each side reports it. JSON at ``/api/mirrors``, pages at ``/mirrors``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from pivgm.catalog.mirrors import Mirrors, MirrorView, RuleDisagreement
from pivgm.errors import NotFoundError
from pivgm.indicators.mirrors import PairFigures
from pivgm.model.structure import LocalizedText
from pivgm.web.dependencies import CatalogDep
from pivgm.web.i18n import request_language
from pivgm.web.page_params import PageAsOf, page_as_of
from pivgm.web.rendering import render, url

router = APIRouter(tags=["mirrors"])

AreaQuery = Annotated[str | None, Query(pattern=r"^[A-Z_][A-Z0-9_]{1,9}$", description="A CL_AREA code")]
AsOfQuery = Annotated[datetime | None, Query(alias="asOf", description="As published at this time (ISO 8601)")]


def _text(text: LocalizedText) -> dict[str, str]:
    return {lang: text.get(lang) for lang in ("es", "en")}


def _figures(figures: PairFigures) -> dict[str, float | None]:
    return {"a": figures.a, "b": figures.b, "gap_pct": figures.gap_pct, "asymmetry": figures.asymmetry}


def _checked(catalog: CatalogDep, *codes: str | None) -> None:
    areas = catalog.standard.codelist("CL_AREA")
    for code in codes:
        if code is not None and code not in areas:
            raise NotFoundError(f"{code!r} is not a code of CL_AREA.", codelist="CL_AREA", area=code)


def mirror_public(view: MirrorView) -> dict[str, Any]:
    """The JSON twin of a mirror page."""
    return {
        "id": view.rule.id,
        "name": _text(view.rule.name),
        "description": _text(view.rule.description),
        "note": _text(view.rule.note),
        "sides": [
            {
                "side": name,
                "role": _text(side.role),
                "dataflow": dataflow.id,
                "definition": _text(dataflow.metadata.definition),
                "release": {"id": release.id, "published_at": release.published_at.isoformat()} if release else None,
            }
            for name, side, dataflow, release in zip(
                ("a", "b"), view.rule.sides, view.dataflows, view.releases, strict=True
            )
        ],
        "measures": {
            "gap_pct": "100 * (a - b) / b; null when b is 0",
            "asymmetry": "(a - b) / (a + b), from -1 to 1, 0 when both agree; null when both are 0",
        },
        "matrix": [
            {
                "origin": c.origin,
                "destination": c.destination,
                "periods": c.periods,
                "first": c.first,
                "last": c.last,
                **_figures(c.figures),
            }
            for c in view.matrix
        ],
        "pairs": [
            {
                "origin": p.origin,
                "destination": p.destination,
                "period": p.period,
                **_figures(p.figures),
                "a_status": p.status[0],
                "b_status": p.status[1],
            }
            for p in view.pairs
        ],
    }


def regional_public(entry: RuleDisagreement) -> dict[str, Any]:
    found = entry.disagreement
    return {
        "id": entry.rule.id,
        "name": _text(entry.rule.name),
        "href": f"/api/mirrors/{entry.rule.id}",
        "reporters": list(entry.reporters),
        "observations": found.observations,
        "first": found.first,
        "last": found.last,
        **(_figures(found.totals) if found.totals else {"a": None, "b": None, "gap_pct": None, "asymmetry": None}),
        "mean_abs_asymmetry": found.mean_abs_asymmetry,
    }


@router.get(
    "/api/mirrors",
    summary="The mirror statistics rules, and who disagrees with whom",
    description="Per rule: its two reporters (data providers), the observations both publish, both sides' totals "
    "over them, the asymmetry index of the totals and the mean absolute asymmetry index of single observations. "
    "`asOf` reads as published at that moment (a future `asOf` reads as now).",
)
def list_mirrors(catalog: CatalogDep, as_of: AsOfQuery = None) -> dict[str, Any]:
    return {"mirrors": [regional_public(entry) for entry in Mirrors(catalog).regional(as_of)]}


@router.get("/mirrors", response_class=HTMLResponse, include_in_schema=False)
def mirrors_page(request: Request, catalog: CatalogDep, as_of: PageAsOf = None) -> HTMLResponse:
    moment = page_as_of(as_of)
    entries = Mirrors(catalog).regional(moment)
    reporters = list(dict.fromkeys(r for entry in entries for r in entry.reporters))
    cells = {entry.reporters: entry for entry in entries}
    language = request_language(request)

    def provider(provider_id: str) -> str:
        found = catalog.standard.providers.get(provider_id)
        return found.name.get(language) if found else provider_id

    twin = url("/api/mirrors", [("asOf", as_of)] if moment and as_of else [])
    return render(request, "mirrors.html", twin, entries=entries, reporters=reporters, cells=cells, provider=provider)


@router.get(
    "/api/mirrors/{rule_id}",
    summary="One flow as both sides report it: the regional matrix and the pairs over time",
    description="`origin` and `destination` (CL_AREA codes) narrow the pairs; `asOf` reads both sides as "
    "published at that moment (a future `asOf` reads as now).",
)
def get_mirror(
    rule_id: str, catalog: CatalogDep, origin: AreaQuery = None, destination: AreaQuery = None, as_of: AsOfQuery = None
) -> dict[str, Any]:
    _checked(catalog, origin, destination)
    return mirror_public(Mirrors(catalog).view(rule_id, origin, destination, as_of))


@router.get("/mirrors/{rule_id}", response_class=HTMLResponse, include_in_schema=False)
def mirror_page(
    request: Request,
    rule_id: str,
    catalog: CatalogDep,
    origin: AreaQuery = None,
    destination: AreaQuery = None,
    as_of: PageAsOf = None,
) -> HTMLResponse:
    moment = page_as_of(as_of)
    _checked(catalog, origin, destination)
    view = Mirrors(catalog).view(rule_id, origin, destination, moment)
    areas = catalog.standard.codelist("CL_AREA")
    language = request_language(request)

    def area(code: str) -> str:
        found = areas.get(code)
        return found.name.get(language) if found else code

    params = [(k, v) for k, v in (("origin", origin), ("asOf", as_of if moment else None)) if v]
    twin = url(f"/api/mirrors/{rule_id}", params)
    return render(request, "mirror.html", twin, view=view, area=area)
