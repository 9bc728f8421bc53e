"""What every importer of a real public source provides."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import pyarrow as pa

VENDORED_DIR = Path(__file__).resolve().parent / "vendored"


class SourceImporter(ABC):
    """Reads one public source's vendored files into one dataflow's observation table.

    The returned table has one string column per dimension of the dataflow's structure, ``TIME_PERIOD``
    (SDMX period text), ``OBS_VALUE`` (float64) and any attribute columns the source provides (strings,
    nulls allowed); attributes it does not provide are filled from the dataflow's defaults by the loader.
    Identity follows location: ``id`` is the module name, set by the registry.
    """

    id: ClassVar[str] = ""
    dataflow_id: ClassVar[str]
    provider_id: ClassVar[str]
    provider_name: ClassVar[dict[str, str]]
    files: ClassVar[tuple[str, ...]]
    source_url: ClassVar[str] = ""
    licence: ClassVar[str] = ""
    citation: ClassVar[str] = ""

    @abstractmethod
    def read(self, directory: Path = VENDORED_DIR) -> pa.Table:
        """Read the source's files from ``directory``; raise ``SourceFormatError`` for bad input."""

    def paths(self, directory: Path = VENDORED_DIR) -> list[Path]:
        return [directory / name for name in self.files]
