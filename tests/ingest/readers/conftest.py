"""Specimen files for the reader tests: small files written for one feature each, the two real messy
spreadsheets, and SDMX messages (see tests/ingest/specimens/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SPECIMENS = Path(__file__).resolve().parent.parent / "specimens"


@pytest.fixture(scope="session")
def specimen() -> Callable[[str], Path]:
    def find(name: str) -> Path:
        path = SPECIMENS / name
        assert path.exists(), f"missing specimen {name}"
        return path

    return find
