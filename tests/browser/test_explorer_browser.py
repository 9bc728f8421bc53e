"""A visitor finds Darién data from the home page, narrows it to Venezuelans in 2023, looks at it as a chart,
a map and a table, switches to English, downloads what is shown (the API's numbers), and shares the view."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from tests.browser.browsing import open_page, screenshot, wait_for_charts

pytestmark = pytest.mark.browser

API_SELECTION = {
    "FREQ": "M",
    "REF_AREA": "PAN",
    "CITIZENSHIP": "VEN",
    "SEX": "_T",
    "AGE": "_T",
    "ACCOMPANIMENT": "_T",
    "from": "2023-01",
    "to": "2023-12",
}


def click_tab(page, label: str) -> None:  # type: ignore[no-untyped-def]
    page.click(f".view-tabs a:text-is('{label}')")
    page.wait_for_load_state()


def test_find_filter_view_download_and_share_darien_data(new_context, live_server):
    page = new_context().new_page()
    open_page(page, live_server + "/")
    wait_for_charts(page)
    screenshot(page, "01-home")

    page.fill("#hero-q", "Darién")
    page.press("#hero-q", "Enter")
    page.wait_for_url(re.compile(r"/catalog\?q=Dari"))
    first = page.locator("li.result").first
    assert first.get_attribute("id") == "DF_IRREGULAR_TRANSIT"
    screenshot(page, "02-search-darien")

    first.locator("a.button").click()
    page.wait_for_url(re.compile(r"/explore/DF_IRREGULAR_TRANSIT"))
    wait_for_charts(page)
    screenshot(page, "03-explorer-default")

    page.select_option("#from", "2023-01")
    page.select_option("#to", "2023-12")
    page.click("#dim-CITIZENSHIP summary")
    page.click("#dim-CITIZENSHIP [data-select='none']")
    page.fill("#search-CITIZENSHIP", "venez")
    assert page.locator("#codes-CITIZENSHIP li:visible").count() == 1
    page.check("#codes-CITIZENSHIP input[value='VEN']")
    page.locator("#explorer-form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"CITIZENSHIP=VEN"))
    assert "from=2023-01" in page.url and "to=2023-12" in page.url
    wait_for_charts(page)
    screenshot(page, "04-explorer-venezuela-2023-lines")

    click_tab(page, "Barras")
    wait_for_charts(page)
    assert "view=bar" in page.url
    screenshot(page, "05-bars")

    click_tab(page, "Mapa")
    wait_for_charts(page)
    assert page.locator("#chart-view svg path").count() > 100  # the countries of the atlas
    screenshot(page, "06-map")

    click_tab(page, "Tabla")
    table = page.locator("#pivot-table")
    assert table.locator("tbody tr").count() == 12  # the months of 2023, down the side
    assert "328,650" in table.locator("tfoot").inner_text()  # their total, written as in Mexico (es-419)
    screenshot(page, "07-table")

    page.click("a.lang-switch")
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert "CITIZENSHIP=VEN" in page.url and "view=table" in page.url
    text = page.locator("#pivot-table").inner_text()
    assert "Jan 2023" in text and "328,650" in text
    screenshot(page, "08-table-english")

    with page.expect_download() as download_info:
        page.click("a[data-download-long='CSV']")  # the long table: one observation per row, as the API
    content = download_info.value.path().read_text(encoding="utf-8")
    rows = list(
        csv.DictReader(io.StringIO("".join(line + "\n" for line in content.splitlines() if not line.startswith("#"))))
    )
    api = httpx.get(f"{live_server}/api/data/DF_IRREGULAR_TRANSIT", params=API_SELECTION).json()["observations"]
    assert [(r["TIME_PERIOD"], float(r["OBS_VALUE"])) for r in rows] == [
        (o["TIME_PERIOD"], o["OBS_VALUE"]) for o in api
    ]

    shared = page.input_value("#share-url")
    fresh = new_context().new_page()
    fresh.goto(shared)
    assert fresh.locator("#pivot-table").inner_text() == text
    assert fresh.locator("html").get_attribute("lang") == "en"
    screenshot(fresh, "09-shared-url")


def test_the_chart_exports_as_png_and_svg(new_context, live_server):
    page = new_context().new_page()
    open_page(page, f"{live_server}/explore/DF_MIG_STOCK?lang=en")
    wait_for_charts(page)
    for kind in ("png", "svg"):
        with page.expect_download() as download_info:
            page.click(f"[data-export='{kind}']")
        assert download_info.value.suggested_filename.endswith(f".{kind}")
        head = download_info.value.path().read_bytes()[:64]
        assert head.startswith(b"\x89PNG") if kind == "png" else b"<svg" in head


def test_country_profile_and_origin_destination_views_draw(new_context, live_server):
    page = new_context().new_page()
    open_page(page, f"{live_server}/country/GTM?lang=en")
    wait_for_charts(page)
    screenshot(page, "10-country-guatemala")
    open_page(page, f"{live_server}/explore/DF_MIG_STOCK?view=flows&REF_AREA=*&COUNTERPART_AREA=*&lang=en")
    wait_for_charts(page)
    screenshot(page, "11-origin-destination")


@pytest.mark.parametrize(
    ("path", "charted"),
    [("/", True), ("/explore/DF_IRREGULAR_TRANSIT", True), ("/country/MEX", True), ("/catalog?q=remesas", False)],
)
def test_pages_fit_a_360_pixel_screen(new_context, live_server, path, charted):
    page = new_context(width=360, height=740).new_page()
    open_page(page, live_server + path)
    if charted:
        wait_for_charts(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    name = re.sub(r"[^a-z]+", "-", path.strip("/").lower()) or "home"
    screenshot(page, f"12-phone-{name}")


def test_the_explorer_is_operable_with_the_keyboard(new_context, live_server):
    page = new_context().new_page()
    open_page(page, f"{live_server}/explore/DF_IRREGULAR_TRANSIT?view=table&lang=en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    sort = page.locator("#pivot-table button.sort").first
    sort.focus()
    page.keyboard.press("Enter")
    assert page.locator("#pivot-table th[aria-sort]").count() == 1
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus is visible


def test_the_api_docs_draw_without_any_outside_request(new_context, live_server):
    """Swagger UI renders the operations from local files; ``new_context`` fails the test on any request
    outside the server (the favicon and the validator badge included)."""
    page = new_context().new_page()
    open_page(page, f"{live_server}/api/docs")
    page.wait_for_selector(".opblock-summary", timeout=15000)
    assert page.locator(".opblock-summary").count() > 5
