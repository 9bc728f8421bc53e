"""Helpers of the browser tests: screenshots kept as test artefacts, and waiting for charts to be drawn."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def screenshot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


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
