"""The platform's parts wired together for one data directory: standard, records, warehouse, reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from pivgm.errors import PivgmError
from pivgm.records import Records, connect, is_initialised, upgrade
from pivgm.records.repository import utc_now
from pivgm.settings import Settings
from pivgm.structures import Standard, load_standard
from pivgm.warehouse import ReleaseReader, Warehouse

if TYPE_CHECKING:
    from pivgm.records import SubmissionStore


class NotInitialisedError(PivgmError):
    status_code = 503
    exit_code = 6
    code = "not-initialised"


@dataclass
class Platform:
    settings: Settings
    standard: Standard
    records: Records
    warehouse: Warehouse
    reader: ReleaseReader = field(default_factory=ReleaseReader)
    clock: Callable[[], datetime] = utc_now  # tests move it to see embargoed releases appear

    @property
    def submissions(self) -> SubmissionStore:
        from pivgm.records import SubmissionStore  # loads with the first command that reads submissions

        return SubmissionStore(self.records.engine)

    def close(self) -> None:
        """Close the records' connections and the reader's DuckDB (a process about to fork workers holds
        nothing open that they would inherit)."""
        self.records.engine.dispose()
        self.reader.close()

    @classmethod
    def initialise(cls, settings: Settings) -> Platform:
        """Create or migrate the records schema and register the standard's dataflows (idempotent)."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = connect(settings.records_url)
        upgrade(engine)
        platform = cls(
            settings,
            load_standard(cache_dir=settings.cache_dir),
            Records(engine),
            Warehouse(settings.data_dir),
            ReleaseReader(settings.cache_dir),
        )
        platform.records.register_dataflows(platform.standard.dataflows.values())
        for provider in platform.standard.providers.values():
            platform.submissions.ensure_provider(provider.id, provider.name.get("es"), provider.name.get("en"))
        return platform

    @classmethod
    def open(cls, settings: Settings) -> Platform:
        """Open an initialised platform; says how to initialise one otherwise."""
        engine = connect(settings.records_url)
        if not is_initialised(engine):
            raise NotInitialisedError(
                f"No PIVGM records in {settings.records_url!r}. Run `pivgm init` (or `pivgm demo`) first."
            )
        return cls(
            settings,
            load_standard(cache_dir=settings.cache_dir),
            Records(engine),
            Warehouse(settings.data_dir),
            ReleaseReader(settings.cache_dir),
        )
