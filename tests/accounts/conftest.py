"""Accounts fixtures: a fresh platform (SQLite) with a clock the tests move, users made by the CLI's actor,
and browser-like clients that sign in through the real login form."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pivgm.accounts import users
from pivgm.accounts.actor import Actor, system_actor
from pivgm.platform import Platform
from pivgm.web.app import create_app
from tests.backends import settings_for

PASSWORD = "a long enough passphrase"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class MovableClock:
    """A clock that stands still until a test moves it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def platform(tmp_path: Path) -> Platform:
    return Platform.initialise(settings_for(tmp_path / "data"))


@pytest.fixture
def root() -> Actor:
    return system_actor("cli:tester")


@pytest.fixture
def make_user(platform: Platform, root: Actor, clock: MovableClock) -> Callable[..., str]:
    """``make_user("ana", ("national_submitter", "GT_IGM"), "administrator")``: a user with ``PASSWORD``."""

    def make(username: str, *grants: str | tuple[str, str], password: str = PASSWORD) -> str:
        users.add(platform, root, username, username.title(), password, clock=clock)
        for grant in grants:
            role, provider = grant if isinstance(grant, tuple) else (grant, None)
            users.grant(platform, root, username, role, provider, clock=clock)
        return username

    return make


@pytest.fixture
def app(platform: Platform, clock: MovableClock) -> FastAPI:
    application = create_app(platform.settings)
    application.state.clock = clock
    return application


@pytest.fixture
def new_client(app: FastAPI) -> Iterator[Callable[..., TestClient]]:
    """Clients for the app, each with its own cookies (a browser each); ``ip`` sets the client address."""
    made: list[TestClient] = []

    def make(ip: str = "198.51.100.7", base_url: str = "http://testserver") -> TestClient:
        client = TestClient(app, base_url=base_url, client=(ip, 50000), raise_server_exceptions=False)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def form_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form like a browser; returns the session's CSRF token."""
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return form_token(client.get("/account/tokens").text)
