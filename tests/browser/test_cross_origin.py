"""A page on another site reads PIVGM's data with ``fetch()`` in Chromium: two loopback origins, the browser
enforcing CORS itself (preflight included), errors readable, and conditional requests answered 304."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.live import serving
from tests.sdmx.conftest import load_platform

pytestmark = pytest.mark.browser

PAGE = b"<!doctype html><title>Another site</title><p>A page that reads migration statistics.</p>"
READ = """async ([url, headers]) => {
  const response = await fetch(url, {headers});
  return {status: response.status, etag: response.headers.get('ETag'), body: await response.text()};
}"""


class AnotherSite(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """PIVGM serving Honduras' published data, and another site on another loopback port."""
    platform = load_platform(tmp_path_factory.mktemp("cross-origin"), ("honduras_inm",))
    site = ThreadingHTTPServer(("127.0.0.1", 0), AnotherSite)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        with serving(platform.settings) as pivgm:
            yield pivgm, f"http://127.0.0.1:{site.server_address[1]}"
    finally:
        site.shutdown()


@pytest.fixture
def page(browser, origins):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    opened = context.new_page()
    opened.goto(origins[1] + "/")
    yield opened
    context.close()


def read(page, url: str, **headers: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    result: dict[str, object] = page.evaluate(READ, [url, headers])
    return result


def test_a_page_on_another_origin_reads_sdmx_and_api_data(page, origins):
    pivgm, _ = origins
    csv = read(page, f"{pivgm}/sdmx/rest/data/DF_IRREGULAR_TRANSIT/M.HND.VEN...?format=csv")
    assert csv["status"] == 200 and "OBS_VALUE" in str(csv["body"])
    api = read(page, f"{pivgm}/api/data/DF_IRREGULAR_TRANSIT?REF_AREA=HND&limit=3", **{"Accept-Language": "en"})
    assert api["status"] == 200 and '"observations"' in str(api["body"])


def test_the_page_reads_errors_too(page, origins):
    answer = read(page, f"{origins[0]}/sdmx/rest/data/DF_NOPE", Accept="application/vnd.sdmx.data+json;version=1.0.0")
    assert answer["status"] == 404 and "DF_NOPE" in str(answer["body"])


def test_the_page_revalidates_with_the_etag_it_read(page, origins):
    """``If-None-Match`` is not a simple header: Chromium sends a preflight first, then the request."""
    url = f"{origins[0]}/sdmx/rest/data/DF_IRREGULAR_TRANSIT/M.HND.VEN...?format=csv"
    first = read(page, url)
    assert first["status"] == 200 and first["etag"]
    again = read(page, url, **{"If-None-Match": str(first["etag"])})
    assert again["status"] == 304 and again["body"] == ""
