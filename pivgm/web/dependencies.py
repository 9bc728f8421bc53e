"""FastAPI dependencies: the platform's services, built once per app by the factory."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

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


MAX_RECORD_ID = 2**63 - 1  # the largest BIGINT: larger numbers cannot name a record (404-free 422, not a 500)
RecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="A record's number")]
