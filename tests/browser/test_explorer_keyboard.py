"""From the top of an explorer page, the second Tab reaches "skip to the chart", which moves the focus to
the chart (past the filters and their dozens of controls); the chart is named by its description.

Seen red: without the skip_links block in explorer.html the second Tab lands in the header.
"""

from __future__ import annotations

import pytest

from tests.browser.browsing import open_page, wait_for_charts

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "label"), [("es", "Saltar al gráfico"), ("en", "Skip to the chart")])
def test_a_skip_link_leads_to_the_chart(new_context, live_server, language, label):
    page = new_context().new_page()
    open_page(page, f"{live_server}/explore/DF_IRREGULAR_TRANSIT?lang={language}")
    wait_for_charts(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == label
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "view-shown"
    name = page.get_attribute("#chart-view svg", "aria-label")
    assert name.startswith("Tránsito" if language == "es" else "Irregular") and ("Máximo" in name or "Highest" in name)
