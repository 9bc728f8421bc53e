"""The public data explorer: catalog, search, explorer views, country profiles, downloads."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
