"""The public site's services as a FastAPI dependency, built once per app on first use."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from pivgm.catalog.site import PublicSite

_lock = threading.Lock()


def get_site(request: Request) -> PublicSite:
    state = request.app.state
    with _lock:
        if not hasattr(state, "public_site"):
            state.public_site = PublicSite(state.catalog)
    site: PublicSite = state.public_site
    return site


SiteDep = Annotated[PublicSite, Depends(get_site)]


def public_base(request: Request) -> str:
    """What share, embed and download links start with: ``PIVGM_PUBLIC_URL`` (no trailing slash), or ""
    (site-relative links) when unset. Never the request's ``Host`` header, which anyone can forge."""
    base: str = request.app.state.catalog.published.settings.public_url
    return base.rstrip("/")
