"""Key pages run under the Content Security Policy the server sends, in headless Chromium, with no violation:
every script comes from the site's own files (no inline script, no eval), charts and maps included."""

from __future__ import annotations

import pytest

from tests.browser.browsing import wait_for_charts

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/catalog?q=asilo",
    "/countries",
    "/explore/DF_IRREGULAR_TRANSIT",
    "/explore/DF_IRREGULAR_TRANSIT?view=map&lang=en",
    "/explore/DF_IRREGULAR_TRANSIT?view=table&CITIZENSHIP=VEN",
    "/explore/DF_MIG_STOCK?view=flows&REF_AREA=*&COUNTERPART_AREA=*",
    "/explore/DF_IRREGULAR_TRANSIT/embed?lang=en",
    "/country/GTM?lang=en",
    "/login",
]
LISTEN = """() => { window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


@pytest.mark.parametrize("path", PAGES)
def test_the_page_works_under_its_content_security_policy(new_context, live_server, path):
    """Fails if a page needs an inline script or eval (charts: if Vega stops using its expression
    interpreter), or if the policy header is dropped."""
    context = new_context()
    context.add_init_script(script=f"({LISTEN})()")  # runs before the page's own scripts
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(live_server + path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    if page.locator(".chart").count():
        wait_for_charts(page)
    assert page.evaluate("window.__violations") == []
    assert [text for text in console if "Content Security Policy" in text] == []
