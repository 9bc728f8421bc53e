"""In Chromium, a filter change redraws the chart and updates the counts without leaving the page (a mark
left on the window survives), the address becomes the new view's, and Back brings the previous view back;
a change the server refuses sends the form as without JavaScript, and the error page explains.

Seen red: without htmx's script in explorer.html the change does nothing until Apply (and then the page
is left); without the redraw in charts.js the swapped chart stays empty; without ``refreshOnHistoryMiss`` in
the htmx configuration Back changes the address but the filters keep the later selection; without the
fall-back in explorer.js a refused change leaves the page as it was, with no word.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.browsing import open_page, screenshot, wait_for_charts

pytestmark = pytest.mark.browser

COUNT = "#n\\.SEX\\._T"  # the count next to "Total" in the sex filter


@pytest.mark.parametrize(("language", "updated"), [("es", "Vista actualizada."), ("en", "View updated.")])
def test_a_filter_change_redraws_the_view_in_place_and_back_restores_it(new_context, live_server, language, updated):
    page = new_context().new_page()
    start = f"{live_server}/explore/DF_IRREGULAR_TRANSIT?lang={language}"
    open_page(page, start)
    wait_for_charts(page)
    first, count = page.input_value("#from"), page.inner_text(COUNT)
    name = page.get_attribute("#chart-view svg", "aria-label")
    page.evaluate("window.stayed = true; document.getElementById('chart-view').dataset.old = 'yes'")

    page.select_option("#from", "2024-01")
    page.wait_for_url(re.compile(r"from=2024-01"))
    page.wait_for_selector("#chart-view[data-rendered='true']:not([data-old])", timeout=15000)
    assert page.evaluate("window.stayed") is True  # no navigation: the same document
    assert "layout." not in page.url and f"lang={language}" in page.url  # the shareable address
    assert page.get_attribute("#chart-view svg", "aria-label") != name  # drawn from the new selection
    assert page.inner_text(COUNT) != count  # the other filters' counts follow
    assert page.inner_text("#view-status").startswith(updated)
    assert "from=2024-01" in (page.get_attribute("a.lang-switch", "href") or "")
    screenshot(page, f"explorer-in-place-{language}")

    page.go_back()
    page.wait_for_url(start)
    wait_for_charts(page)
    assert page.input_value("#from") == first
    assert page.inner_text(COUNT) == count
    assert page.get_attribute("#chart-view svg", "aria-label") == name

    page.evaluate("document.getElementById('from').add(new Option('2024-13', '2024-13'))")  # no such month
    with page.expect_navigation() as navigation:
        page.select_option("#from", "2024-13")
    assert navigation.value is not None and 400 <= navigation.value.status < 500
    assert "2024-13" in page.inner_text("main")
