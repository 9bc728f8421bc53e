"""Helpers of the browser tests: screenshots kept as test artefacts, and waiting for charts to be drawn."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def screenshot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def wait_for_charts(page: object) -> None:
    """Until every chart on the page is drawn (charts.js marks them)."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('.chart')].every(c => c.getAttribute('data-rendered') === 'true')",
        timeout=15000,
    )
