"""Handles on what the records hold: providers, dataset versions and releases (plain data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ProviderInfo:
    id: str
    name_es: str
    name_en: str
    source_url: str = ""


@dataclass(frozen=True)
class VersionInfo:
    id: int
    dataflow_id: str
    provider_id: str
    source: str
    source_files: list[dict[str, str]]
    input_sha256: str
    parquet_file: str
    row_count: int
    loaded_at: datetime


@dataclass(frozen=True)
class ReleaseInfo:
    id: int
    dataflow_id: str
    parquet_file: str
    row_count: int
    created_at: datetime
    published_at: datetime
    version_ids: tuple[int, ...] = ()
