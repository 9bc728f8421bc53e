"""FastAPI dependencies: the platform's services, built once per app by the factory."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from pivgm.catalog import Catalog
from pivgm.platform import Platform


async def get_catalog(request: Request) -> Catalog:  # async: no thread is taken just to read app.state
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def platform_dependency(request: Request) -> Platform:  # async: no thread is taken just to read app.state
    return get_platform(request)


PlatformDep = Annotated[Platform, Depends(platform_dependency)]


MAX_RECORD_ID = 2**31 - 1  # record ids are INTEGER columns (4 bytes on PostgreSQL): larger numbers are a 422, not a 500
MAX_OFFSET = 2**63 - 1  # the largest BIGINT DuckDB takes as an OFFSET
RecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="A record's number")]
