"""The public site's services as a FastAPI dependency, built once per app on first use."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import State

from pivgm.catalog.publication_cache import PublicationCache
from pivgm.catalog.site import PublicSite
from pivgm.web.profile_page import CountryPage

_lock = threading.Lock()
COUNTRY_PAGES_KEPT = 80
"""Formatted country pages a worker keeps (the region's countries in both languages, about 1 MiB each)."""


def get_site(request: Request) -> PublicSite:
    return site_of(request.app.state)


def site_of(state: State) -> PublicSite:
    """The app's public site (``app.state``), built on first use."""
    with _lock:
        if not hasattr(state, "public_site"):
            state.public_site = PublicSite(state.catalog)
    site: PublicSite = state.public_site
    return site


SiteDep = Annotated[PublicSite, Depends(get_site)]


def country_pages(request: Request) -> PublicationCache[CountryPage]:
    """Country page models by country and language, formatted once per publication (numbers and charts of a
    profile took longer to format than the page takes to render)."""
    return pages_of(request.app.state)


def pages_of(state: State) -> PublicationCache[CountryPage]:
    with _lock:
        if not hasattr(state, "country_pages"):
            state.country_pages = PublicationCache(state.catalog, COUNTRY_PAGES_KEPT)
    pages: PublicationCache[CountryPage] = state.country_pages
    return pages


def public_base(request: Request) -> str:
    """What share, embed and download links start with: ``PIVGM_PUBLIC_URL`` (no trailing slash), or ""
    (site-relative links) when unset. Never the request's ``Host`` header, which anyone can forge."""
    base: str = request.app.state.catalog.published.settings.public_url
    return base.rstrip("/")
