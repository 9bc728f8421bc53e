"""Shared fixtures: a platform with every real source loaded, and an in-process web client; and the rule
that runs only the tests touching the records on the PostgreSQL pass of scripts/test."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pivgm.platform import Platform
from pivgm.sources import all_importers
from pivgm.web.app import create_app
from pivgm.workflow.loading import load_source
from tests.backends import SERVER_URL, settings_for


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


RECORDS_MARKS = ("settings_for(", "new_platform(", "load_platform(", "Platform.initialise(", "Platform.open(")
"""A test touches the records when its module, or the module defining one of its fixtures, makes a platform;
the session's demo platform (``demo_platform``, ``client``) does not count: loaded once, then only read
through the public side (the tests marked ``records`` that check what it holds run on PostgreSQL too)."""
SHARED_READ_ONLY = ("demo_platform", "client")


@cache
def _makes_platforms(path: str) -> bool:
    text = Path(path).read_text(encoding="utf-8")
    return any(mark in text for mark in RECORDS_MARKS)


def touches_records(item: pytest.Item) -> bool:
    if item.get_closest_marker("postgres") or item.get_closest_marker("records"):
        return True
    if item.get_closest_marker("browser"):
        return False  # what a browser test guards is the page; the HTTP and service tests cover its records
    paths = {str(item.path)}
    fixtures = getattr(item, "_fixtureinfo", None)
    for name, definitions in fixtures.name2fixturedefs.items() if fixtures else ():
        for definition in definitions:
            source = inspect.getsourcefile(definition.func)
            shared = name in SHARED_READ_ONLY and source == __file__
            if source and not shared and Path(source).is_relative_to(Path(__file__).parent):
                paths.add(source)
    return any(_makes_platforms(path) for path in paths)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL (``PIVGM_TEST_DATABASE_URL`` set) run only the tests that touch the records: the others
    (readers, the standard's files, source importers...) ran on the SQLite pass and would run the same."""
    if not SERVER_URL:
        return
    kept = [item for item in items if touches_records(item)]
    if len(kept) < len(items):
        ids = {id(item) for item in kept}
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in ids])
        items[:] = kept
