"""In Chromium: every flow's map is drawn with coloured countries (following the page's own "add up" fix
when the default selection holds more than one figure per place), the legend writes the class limits as
the page's locale does, the period slider redraws the map, and located incidents are drawn as circles."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import yaml

from tests.browser.browsing import open_page, screenshot, wait_for_charts

pytestmark = pytest.mark.browser

EXPLORER = Path(__file__).resolve().parents[2] / "pivgm" / "catalog" / "explorer.yaml"
MAPPED = sorted(
    flow for flow, options in yaml.safe_load(EXPLORER.read_text(encoding="utf-8")).items() if options.get("map")
)
CLASS_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b")
# Indicators of transit by reporting country, which count in different units (persons, events): one country.
CHOSEN = {flow: "&CITIZENSHIP=*&REF_AREA=PAN" for flow in ("DF_IND_TRANSIT_12M", "DF_IND_TRANSIT_YOY")}
# The fills of the map's marks (countries, dots, circles), not of the legend's symbols.
FILLS = (
    "() => [...document.querySelectorAll('#chart-view svg path')]"
    ".filter(p => !p.closest('.role-legend')).map(p => p.getAttribute('fill'))"
)


def map_address(base: str, flow: str, language: str) -> str:
    """The flow's map, or the map after the page's first fix (add a dimension up) while it shows a problem."""
    address = f"{base}/explore/{flow}?view=map&lang={language}{CHOSEN.get(flow, '')}"
    for _ in range(4):
        html = httpx.get(address, timeout=60).text
        if 'id="spec-view"' in html:
            return address
        fix = re.search(r'<div class="problem".*?<a href="([^"]+)"', html, re.S)
        assert fix, f"{flow}: neither a map nor a way to one"
        address = base + fix.group(1).replace("&amp;", "&")
    raise AssertionError(f"{flow}: no map after four fixes")


def coloured(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [fill for fill in page.evaluate(FILLS) if fill in CLASS_COLOURS]


@pytest.mark.parametrize("flow", MAPPED)
def test_every_flow_with_a_map_draws_countries_with_data(new_context, live_server, flow):
    """Seen red with the lookup keyed on the id alone (every country grey)."""
    page = new_context().new_page()
    open_page(page, map_address(live_server, flow, "es"))
    wait_for_charts(page)
    assert coloured(page), f"{flow}: no country coloured"
    screenshot(page, f"map-{flow}")


@pytest.mark.parametrize(("language", "pattern"), [("es", r"\d{1,3},\d{3} – "), ("en", r"\d{1,3},\d{3} – ")])
def test_the_legend_shows_class_limits_and_the_slider_redraws_the_period(new_context, live_server, language, pattern):
    """The legend's labels are the classes' limits (12,452-style in es-419 and en); moving the slider to
    the first month draws other colours and says which period is drawn (seen red with the slider's signal
    not set)."""
    page = new_context().new_page()
    open_page(page, f"{live_server}/explore/DF_IRREGULAR_TRANSIT?view=map&lang={language}&from=2023-01&to=2023-12")
    wait_for_charts(page)
    texts = page.evaluate("() => [...document.querySelectorAll('#chart-view svg text')].map(t => t.textContent)")
    assert any(re.search(pattern, t) for t in texts), texts
    slider = page.locator("#slider-view")
    assert slider.get_attribute("max") == "12" and slider.input_value() == "12"
    whole = coloured(page)
    slider.fill("0")
    page.wait_for_function("() => document.getElementById('chart-view').getAttribute('data-slot') === '0'")
    assert page.locator("#slider-view-period").inner_text() == ("ene. 2023" if language == "es" else "Jan 2023")
    assert coloured(page) != whole
    screenshot(page, f"map-slider-{language}")


def test_located_incidents_are_drawn_as_circles(new_context, live_server):
    page = new_context().new_page()
    open_page(page, f"{live_server}/explore/DF_MISSING_MIGRANTS_INCIDENTS?view=map&lang=en&from=2024-01&to=2024-12")
    wait_for_charts(page)
    fills = page.evaluate(FILLS)
    assert fills.count("#b3261e") > 10  # the incidents' circles (Vega draws circles as paths)
    screenshot(page, "map-incidents")
