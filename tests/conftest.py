"""Shared fixtures: a platform with every real source loaded, and an in-process web client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pivgm.platform import Platform
from pivgm.sources import all_importers
from pivgm.web.app import create_app
from pivgm.workflow.loading import load_source
from tests.backends import settings_for


def new_platform(data_dir: Path, **overrides: object) -> Platform:
    return Platform.initialise(settings_for(data_dir, **overrides))


@pytest.fixture(scope="session")
def demo_platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    """Every vendored source loaded once, as `pivgm demo` does."""
    platform = new_platform(tmp_path_factory.mktemp("demo-data"))
    for importer in all_importers().values():
        load_source(importer, platform.standard, platform.records, platform.warehouse)
    return platform


@pytest.fixture(scope="session")
def client(demo_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(demo_platform.settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def empty_platform(tmp_path: Path) -> Platform:
    return new_platform(tmp_path / "data")
