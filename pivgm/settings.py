"""Configuration from the environment, in one class; instantiated by the app factory and the CLI only."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """``PIVGM_DATA_DIR`` holds the SQLite records file and the Parquet files; ``PIVGM_DATABASE_URL``
    moves the records to another database (PostgreSQL on a server)."""

    model_config = SettingsConfigDict(env_prefix="PIVGM_", extra="ignore")

    data_dir: Path = Field(default=Path("pivgm-data"))
    database_url: str | None = None

    @property
    def records_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'records.sqlite').resolve()}"
