"""Answers the framework writes, not a route, carry the same security and caching headers as every other
answer: the router's 404 and 405, FastAPI's 422 for a malformed parameter, and the 500 of an error no route
caught (here a records database that lost its tables under the running server). Over HTTP, on a live server,
as a page and as an API answer."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import create_engine, text

from pivgm.accounts import sessions
from pivgm.accounts.actor import Role
from pivgm.platform import Platform
from pivgm.web.security import SESSION_COOKIE
from tests.conftest import new_platform
from tests.live import serving
from tests.people import PASSWORD, person

PAGE = {"Accept": "text/html"}
API = {"Accept": "application/json"}


def assert_protected_and_private(response: httpx.Response, status: int) -> None:
    where = (response.request.method, str(response.request.url), response.status_code, response.text[:200])
    assert response.status_code == status, where
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert response.headers.get("cache-control") == "private, no-store", where
    assert "cookie" in response.headers.get("vary", "").lower(), where


@pytest.fixture
def platform(tmp_path) -> Platform:
    return new_platform(tmp_path / "data")


def test_router_and_validation_errors_carry_the_headers(platform):
    """404 and 405 from the router and 422 from FastAPI's parameter validation, as pages and as JSON."""
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    with serving(platform.settings) as base, httpx.Client(base_url=base, timeout=30) as client:
        token = {"Authorization": f"Bearer {admin.token}"}
        for accept in (PAGE, API):
            assert_protected_and_private(client.get("/no/such/page", headers=accept), 404)
            assert_protected_and_private(client.delete("/api/dataflows", headers=accept), 405)
            assert_protected_and_private(client.put("/", headers=accept), 405)
            assert_protected_and_private(client.get("/api/submissions/abc", headers=accept | token), 422)
        assert_protected_and_private(client.get("/api/data/DF_IRREGULAR_TRANSIT", params={"limit": "x"}), 422)


def test_a_500_from_an_uncaught_error_carries_the_headers(platform):
    """Fails while the middleware that sets the headers sits inside Starlette's error middleware, which
    answers uncaught errors itself."""
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    cookie = sessions.login(platform, "admin", PASSWORD, "127.0.0.1", "pytest").cookie
    with serving(platform.settings) as base:
        engine = create_engine(platform.settings.records_url)
        with engine.begin() as connection:  # the records lose the tables that sign people in
            connection.execute(text("ALTER TABLE sessions RENAME TO sessions_lost"))
            connection.execute(text("ALTER TABLE api_tokens RENAME TO api_tokens_lost"))
        engine.dispose()
        # one connection each: uvicorn closes a connection whose request raised
        broken = httpx.get(f"{base}/api/me", headers={"Authorization": f"Bearer {admin.token}"}, timeout=30)
        assert_protected_and_private(broken, 500)
        assert broken.json()["error"]["code"] == "internal-error"
        with httpx.Client(base_url=base, cookies={SESSION_COOKIE: cookie}, timeout=30) as browser:
            assert_protected_and_private(browser.get("/submissions", headers=PAGE), 500)
