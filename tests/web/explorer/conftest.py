"""Fixtures of the explorer's page tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pivgm.platform import Platform
from tests.live import serving


@pytest.fixture
def get_page(client):  # type: ignore[no-untyped-def]
    """GET a page and check it is HTML with status 200."""

    def get(path: str, **params: str) -> str:
        response = client.get(path, params=params) if params else client.get(path)
        assert response.status_code == 200, response.text[:500]
        assert response.headers["content-type"].startswith("text/html")
        return response.text

    return get


@pytest.fixture(autouse=True)
def forget_the_language(client):  # type: ignore[no-untyped-def]
    """Pages remember ?lang= in a cookie; the shared client forgets it after each test."""
    yield
    client.cookies.clear()


@pytest.fixture(scope="session")
def live(demo_platform: Platform) -> Iterator[httpx.Client]:
    """A real server over every real source, and an HTTP client addressed to it (outside-in tests)."""
    with serving(demo_platform.settings) as base, httpx.Client(base_url=base, timeout=120) as http:
        yield http
