"""axe-core, run inside the page, finds no serious or critical accessibility problem on the home page, the
explorer (chart, map and table) and a country profile, in either language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.browsing import open_page, wait_for_charts

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# (page, whether it draws charts): the catalog and the table view have none.
PAGES = [
    ("/", True),
    ("/?lang=en", True),
    ("/catalog?q=asilo", False),
    ("/explore/DF_IRREGULAR_TRANSIT", True),
    ("/explore/DF_IRREGULAR_TRANSIT?view=map&lang=en", True),
    ("/explore/DF_IRREGULAR_TRANSIT?view=table&CITIZENSHIP=VEN&lang=en", False),
    ("/explore/DF_MIG_STOCK?view=flows&REF_AREA=*&COUNTERPART_AREA=*", True),
    ("/country/MEX", True),
    ("/country/GTM?lang=en", True),
]


@pytest.mark.parametrize(("path", "charted"), PAGES)
def test_no_serious_or_critical_accessibility_violation(new_context, live_server, path, charted):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = new_context(bypass_csp=True).new_page()
    open_page(page, live_server + path)
    if charted:
        wait_for_charts(page)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))  # injected: no request leaves the server
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
