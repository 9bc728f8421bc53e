"""FastAPI dependencies: the platform's services, built once per app by the factory."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pivgm.catalog import Catalog
from pivgm.platform import Platform


def get_catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.catalog.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
