"""Helpers of the browser tests: screenshots kept as test artefacts, and waiting for charts to be drawn."""

from __future__ import annotations

import os
from pathlib import Path

# Screenshots go to $PIVGM_TEST_ARTIFACTS (a CI job's artefacts directory), else to test-artifacts/.
ARTIFACTS = Path(os.environ.get("PIVGM_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")


def screenshot(page: object, name: str, full_page: bool = True) -> None:
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]


def open_page(page: object, url: str) -> None:
    """Go to ``url`` and require a 200: an error page has nothing to check."""
    response = page.goto(url)  # type: ignore[attr-defined]
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"


def wait_for_charts(page: object) -> None:
    """Until the page has at least one chart and every chart on it is drawn (charts.js marks them).
    Fails if the page has no chart: a 404 page or a broken template has none, and would pass at once."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const charts = [...document.querySelectorAll('.chart')];"
        " return charts.length > 0 && charts.every(c => c.getAttribute('data-rendered') === 'true'); }",
        timeout=15000,
    )
