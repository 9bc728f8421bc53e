"""SDMX REST API (structure and data queries) for standard SDMX clients."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/sdmx/rest", tags=["sdmx"])
