"""Every dataflow's every view tab, in Spanish and English, opens on a drawn chart (or a map with data, or a
table with rows), never on a "problem" message; Spanish pages carry no English label. One browser page goes
through them all, and each view's screenshot is kept (``PIVGM_TEST_ARTIFACTS``, else ``test-artifacts``).

Seen red: with the tab links back to ``state.with_view(v)`` (no fitting), 11 Spanish tabs stopped on a
problem message (maps of DF_ASYLUM_DECISIONS, DF_REFUGEES, DF_RETURNS, the pyramid of DF_IRREGULAR_TRANSIT,
the ranking of DF_IND_TRANSIT_12M mixing units...).
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.browser.browsing import open_page, screenshot

pytestmark = pytest.mark.browser

# Labels the English pages and Vega's defaults write; none may appear on a Spanish page.
ENGLISH = [
    "Source",
    "Period",
    "Persons",
    "Value",
    "Others",
    "Download",
    "Share",
    "Filters",
    "Apply",
    "Table",
    "Map",
    "Bars",
    "Lines",
    "Ranking",
    "Women",
    "Men",
    "Male",
    "Female",
    "Unknown",
    "million",
    "thousand",
    "Show table",
    "Select all",
    "Origin",
    "Destination",
    "Jan",
    "Feb",
    "Apr",
    "Aug",
    "Dec",
    "Year",
    "and more",
    "added up",
    "latest",
    "Other",
]
ENGLISH_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")

# Data marks a drawn chart has: bars, lines, points, areas, coloured countries (axes, legends and the
# grey countries of the atlas aside).
DRAWN = """() => {
  const chart = document.querySelector('#chart-view');
  if (!chart || chart.getAttribute('data-rendered') !== 'true') { return -1; }
  return [...chart.querySelectorAll('svg g[class^="mark-"] path')].filter(p =>
    !p.closest('.role-legend, .role-axis, .role-title') && p.getAttribute('fill') !== '#e4e7eb').length;
}"""


# The chart's accessible name is its description (the generated sentence), not its tick labels.
NAMED = """() => document.querySelector('#chart-view svg').getAttribute('aria-label') ===
  JSON.parse(document.getElementById('spec-view').textContent).description"""


def dataflow_ids(base: str) -> list[str]:
    catalog = httpx.get(f"{base}/api/dataflows").json()
    return [d["id"] for d in (catalog if isinstance(catalog, list) else catalog["dataflows"])]


def shown_text(page) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees or hears: the text, and the charts' accessible names and descriptions."""
    return page.evaluate(
        "() => document.querySelector('main').innerText + ' ' + [...document.querySelectorAll("
        "'main [aria-label], main [aria-roledescription]')].map(e => (e.getAttribute('aria-label') || '') + ' ' +"
        " (e.getAttribute('aria-roledescription') || '')).join(' ')"
    )


def check_view(page, name: str, view: str) -> None:  # type: ignore[no-untyped-def]
    assert page.locator(".problem").count() == 0, f"{name}: {page.locator('.problem').inner_text()}"
    if view == "table":
        assert page.locator("#pivot-table tbody tr").count() > 0, f"{name}: an empty table"
    else:
        page.wait_for_function(f"() => ({DRAWN})() !== -1", timeout=15000)
        drawn = page.evaluate(DRAWN)
        assert drawn > 0, f"{name}: a chart with nothing drawn"
        if view in ("ranked", "pyramid", "flows"):
            assert drawn > 1, f"{name}: one bar"
        named = page.evaluate(NAMED)
        assert named, f"{name}: the chart is not named by its description"


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_view_of_every_dataflow_draws(new_context, live_server, language):
    page = new_context(locale="es-MX" if language == "es" else "en-US").new_page()
    started, failures, seen = time.monotonic(), [], 0
    for dataflow in dataflow_ids(live_server):
        open_page(page, f"{live_server}/explore/{dataflow}?lang={language}")
        tabs = page.eval_on_selector_all(
            ".view-tabs a", "links => links.map(a => [a.getAttribute('data-view'), a.href])"
        )
        for view, href in tabs:
            name = f"{dataflow}-{view}-{language}"
            open_page(page, href)
            try:
                check_view(page, name, view)
                if language == "es":
                    english = sorted(set(ENGLISH_WORDS.findall(shown_text(page))))
                    assert not english, f"{name}: English on a Spanish page: {english}"
            except AssertionError as error:
                failures.append(str(error).splitlines()[0])
            screenshot(page, f"views/{name}", full_page=False)
            seen += 1
    print(f"{seen} views in {time.monotonic() - started:.1f} s")
    assert not failures, "\n".join(failures)
