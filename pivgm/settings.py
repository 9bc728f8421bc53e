"""Configuration from the environment, in one class; instantiated by the app factory and the CLI only."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """``PIVGM_DATA_DIR`` holds the SQLite records file and the Parquet files; ``PIVGM_DATABASE_URL``
    moves the records to another database (PostgreSQL on a server); ``PIVGM_MAX_UPLOAD_MB`` and
    ``PIVGM_MAX_SUBMISSION_ROWS`` and ``PIVGM_MAX_SUBMISSION_COLUMNS`` cap what one submission may bring."""

    model_config = SettingsConfigDict(env_prefix="PIVGM_", extra="ignore")

    data_dir: Path = Field(default=Path("pivgm-data"))
    database_url: str | None = None
    max_upload_mb: float = Field(default=200.0, gt=0)
    max_submission_rows: int = Field(default=20_000_000, gt=0)
    max_submission_columns: int = Field(default=1000, gt=0)
    api_max_page: int = Field(default=10_000, gt=0)  # PIVGM_API_MAX_PAGE: observations per /api/data answer
    upload_cpu_seconds: int = Field(default=600, gt=0)  # per upload, checked and loaded in a child process
    upload_memory_mb: int = Field(default=3072, gt=0)  # resident memory of that process
    upload_jobs: int = Field(default=2, gt=0)  # uploads processed at once per web worker; others wait
    forwarded_allow_ips: str = "127.0.0.1,::1"  # proxies whose X-Forwarded-For/-Proto are believed ("" none, "*" all)
    log_level: str = "info"  # uvicorn's; "info" shows workers that died or were killed by the health check
    secure_cookies: bool = False  # PIVGM_SECURE_COOKIES: mark cookies Secure even on plain http (behind TLS)
    # PIVGM_WARM_PROFILES: publishing jobs compute the region's country profiles, kept on disk for every worker
    warm_profiles: bool = True
    # PIVGM_PUBLIC_URL: this site's public address (https://datos.example.org), which links in mail and share,
    # embed and download links start with; unset, those are site-relative, never built from the Host header
    public_url: str = Field(default="", pattern=r"^(https?://[^/?#\s]+(/[^?#\s]*)?)?$")
    smtp_url: str | None = None  # PIVGM_SMTP_URL: smtp://[user:password@]host:port[?from=address] for review mail

    @property
    def cache_dir(self) -> Path:
        """Copies of what can be rebuilt (the parsed standard): deleting the folder loses nothing."""
        return self.data_dir / "cache"

    @property
    def records_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'records.sqlite').resolve()}"
