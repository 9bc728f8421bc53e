"""Fixtures of the explorer's page tests."""

from __future__ import annotations

import pytest


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
