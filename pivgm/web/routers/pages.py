"""The home page: the region at a glance. Each page makes one service call; templates only format.
Every page links its JSON twin (``render`` is shared by every HTML router)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pivgm.web.i18n import request_language
from pivgm.web.profile_page import home_page
from pivgm.web.public import SiteDep
from pivgm.web.rendering import render

__all__ = ["render", "router"]

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, site: SiteDep) -> HTMLResponse:
    page = home_page(site.home(), request_language(request), site.areas)
    return render(request, "home.html", "/api/dataflows", page=page)
