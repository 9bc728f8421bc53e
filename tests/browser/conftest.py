"""A live PIVGM server with every real source loaded (as ``pivgm demo`` loads them), and headless Debian
Chromium driven by Playwright; every request the browser makes outside that server is recorded and refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pivgm.cli.data_commands import load_all
from pivgm.platform import Platform
from tests.backends import settings_for
from tests.live import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo's data in a fresh data directory, served by uvicorn on a free loopback port."""
    platform = Platform.initialise(settings_for(tmp_path_factory.mktemp("browser-data")))
    load_all(platform)
    with serving(platform.settings) as base:
        yield base


def missing(reason: str) -> None:
    """Skip on a developer's machine; fail in CI (``CI=true``), where a skipped browser test proves nothing."""
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason}: CI must run the browser tests (scripts/setup test installs it)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium. Fails, under ``CI=true``, if ``missing`` skips instead."""
    try:
        from playwright import sync_api
    except ImportError:
        missing("playwright is not installed")
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Outside:
    """Requests to anywhere but the server under test: recorded, and refused."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.requests: list[str] = []

    def handle(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(self.base + "/") or url.startswith(("data:", "blob:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.requests.append(url)
            route.abort()  # type: ignore[attr-defined]


@pytest.fixture
def new_context(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) that refuses requests outside the server under test."""
    contexts = []
    outside = Outside(live_server)

    def make(width: int = 1280, height: int = 900, locale: str = "es-ES", bypass_csp: bool = False):  # type: ignore[no-untyped-def]
        """``bypass_csp``: for tests that inject a tool (axe-core) into the page, which the CSP would refuse."""
        size = {"width": width, "height": height}
        context = browser.new_context(viewport=size, locale=locale, accept_downloads=True, bypass_csp=bypass_csp)
        context.route("**/*", outside.handle)
        contexts.append(context)
        return context

    make.outside = outside  # type: ignore[attr-defined]
    yield make
    for context in contexts:
        context.close()
    assert outside.requests == [], f"the browser reached outside the server: {outside.requests}"
