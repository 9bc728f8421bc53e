"""The public site's services as a FastAPI dependency, built once per app on first use."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import State

from pivgm.catalog.site import PublicSite
from pivgm.web.profile_store import ProfileStore, store_of

_lock = threading.Lock()


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


def profile_store(request: Request) -> ProfileStore:
    """Country profile pages kept on disk by publication state, shared by every worker."""
    return store_of(request.app.state.catalog)


def public_base(request: Request) -> str:
    """What share, embed and download links start with: ``PIVGM_PUBLIC_URL`` (no trailing slash), or ""
    (site-relative links) when unset. Never the request's ``Host`` header, which anyone can forge."""
    base: str = request.app.state.catalog.published.settings.public_url
    return base.rstrip("/")
