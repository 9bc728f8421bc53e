"""The route view: a citizenship's monthly counts along a route. JSON at ``/api/routes``, the page at ``/routes``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from pivgm.catalog.routes import Routes, RouteView
from pivgm.catalog.search import normalise
from pivgm.errors import NotFoundError
from pivgm.web.dependencies import CatalogDep
from pivgm.web.i18n import request_language, request_locale
from pivgm.web.page_params import PageAsOf, page_as_of
from pivgm.web.rendering import render, url
from pivgm.web.route_map import drawable, route_map_spec

router = APIRouter(tags=["routes"])

RouteQuery = Annotated[str | None, Query(pattern=r"^[A-Z][A-Z0-9_]{0,39}$", description="A route id")]
CitizenshipQuery = Annotated[
    str | None, Query(pattern=r"^[A-Z_][A-Z0-9_]{1,9}$", description="A CL_AREA code (default VEN)")
]
AsOfQuery = Annotated[datetime | None, Query(alias="asOf", description="As published at this time (ISO 8601)")]


def _checked(catalog: CatalogDep, citizenship: str | None) -> None:
    if citizenship is not None and citizenship not in catalog.standard.codelist("CL_AREA"):
        raise NotFoundError(f"{citizenship!r} is not a code of CL_AREA.", codelist="CL_AREA", area=citizenship)


def route_public(view: RouteView) -> dict[str, Any]:
    """The JSON twin of the route page."""
    route = view.route
    return {
        "route": route.id,
        "name": {lang: route.name.get(lang) for lang in ("es", "en")},
        "caveat": {lang: route.caveat.get(lang) for lang in ("es", "en")},
        "citizenship": view.citizenship,
        "points": [
            {
                "id": s.point.id,
                "name": {lang: s.point.name.get(lang) for lang in ("es", "en")},
                "reporter": s.point.side.reporter,
                "dataflow": s.point.side.dataflow,
                "units": list(s.units),
                "release": {"id": r.id, "published_at": r.published_at.isoformat()} if r else None,
            }
            for s, r in zip(view.series, view.releases, strict=True)
        ],
        "months": [{"period": m, **{s.point.id: s.values.get(m) for s in view.series}} for m in view.months],
        "steps": [
            {
                "from": st.source,
                "to": st.target,
                "lag_months": st.best.lag if st.best else None,
                "correlation": st.best.correlation if st.best else None,
                "months": st.best.months if st.best else None,
                "share_arriving_pct": st.share_pct,
                "lags": [{"lag": f.lag, "months": f.months, "correlation": f.correlation} for f in st.fits],
            }
            for st in view.steps
        ],
    }


@router.get(
    "/api/routes",
    summary="A citizenship's monthly counts at the successive points of a route",
    description="Each point's monthly counts lined up by month; between successive points, the lag of 0-3 months "
    "with the highest correlation and the share arriving (the next point's sum at that lag against this point's). "
    "`route` defaults to the first route, `citizenship` to VEN; `asOf` reads as published at that moment.",
)
def get_route(
    catalog: CatalogDep, route: RouteQuery = None, citizenship: CitizenshipQuery = None, as_of: AsOfQuery = None
) -> dict[str, Any]:
    _checked(catalog, citizenship)
    return route_public(Routes(catalog).view(route, citizenship, as_of))


@router.get("/routes", response_class=HTMLResponse, include_in_schema=False)
def route_page(
    request: Request,
    catalog: CatalogDep,
    route: RouteQuery = None,
    citizenship: CitizenshipQuery = None,
    as_of: PageAsOf = None,
) -> HTMLResponse:
    moment = page_as_of(as_of)
    _checked(catalog, citizenship)
    view = Routes(catalog).view(route, citizenship, moment)
    areas = catalog.standard.codelist("CL_AREA")
    units = catalog.standard.codelist("CL_UNIT_MEASURE")
    language = request_language(request)

    def name(codes: object, code: str) -> str:
        found = codes.get(code)  # type: ignore[attr-defined]
        return found.name.get(language) if found else code

    def area(code: str) -> str:
        return name(areas, code)

    def unit(code: str) -> str:
        return name(units, code)

    locale = request_locale(request, language)
    spec = route_map_spec(view, area, unit, language, locale) if drawable(view) else None
    twin = url(
        "/api/routes",
        [("route", view.route.id), ("citizenship", view.citizenship)] + ([("asOf", as_of)] if moment and as_of else []),
    )
    chosen = sorted(view.citizenships, key=lambda code: (normalise(area(code)), code))  # by name, as read
    return render(
        request,
        "routes.html",
        twin,
        view=view,
        area=area,
        unit=unit,
        map_spec=spec,
        citizenships=chosen,
        as_of=as_of if moment else None,
    )
