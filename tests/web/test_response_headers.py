"""Headers of every answer: no cache keeps an answer that depends on who asked, public answers say how long
they may be kept, and every answer carries the security headers (CSP without inline scripts, no framing but
the embed view, nosniff, referrer policy, HSTS behind TLS).

Every route the app registers (enumerated, every method) is called over HTTP on a live server by four
callers: anonymous without cookies, anonymous with a ``lang`` cookie, a signed-in browser and an API token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from pivgm.accounts import sessions
from pivgm.accounts.actor import Role
from pivgm.ingest.mapping import Mapping
from pivgm.web.app import create_app
from pivgm.web.security import SESSION_COOKIE
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.people import ADMIN, PASSWORD, person
from tests.routes import all_routes, concrete_paths
from tests.sdmx.live import live_server

FLOW = "DF_IRREGULAR_TRANSIT"
SDMX_PATHS = [f"data/{FLOW}/all", "dataflow/all/all/latest"]
SIGNED_IN_PAGES = [
    "/submissions",
    "/review",
    "/submit",
    "/account/password",
    "/account/tokens",
    "/admin/users",
    "/admin/audit",
    "/admin/audit.csv",
    "/api/submissions",
    "/api/me",
    "/api/tokens",
    "/api/users",
    "/api/audit",
]


@dataclass(frozen=True)
class Served:
    base: str
    routes: list[tuple[str, str]]
    submission: int
    cookie: str
    token: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    platform = new_platform(tmp_path_factory.mktemp("cache"))
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    mapping = Mapping(
        columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
        constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"}
        | {"REF_AREA": "MEX"},
    )
    text = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;1234\n"
    submission = submit(platform, SubmissionRequest("MX_UPM", FLOW, "mx.csv", text, mapping)).submission.id
    for action in ["submit", "approve-national", "approve-regional", "publish"]:
        take_step(platform, ADMIN, submission, action, "", None)
    cookie = sessions.login(platform, "admin", PASSWORD, "127.0.0.1", "pytest").cookie
    routes = all_routes(create_app(platform.settings))
    with live_server(platform) as sdmx_url:
        yield Served(sdmx_url.removesuffix("/sdmx/rest"), routes, submission, cookie, admin.token)


def requests(served: Served, method: str, path: str) -> list[tuple[str, str]]:
    return [(method, p) for p in concrete_paths(path, {"s": served.submission}, FLOW, SDMX_PATHS)]


def vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",")}


def assert_private(response: httpx.Response, who: str) -> None:
    where = (who, response.request.method, str(response.request.url), response.status_code)
    assert response.headers.get("cache-control") == "private, no-store", where
    assert {"cookie", "authorization"} <= vary(response), where


def test_every_answer_to_a_caller_with_credentials_or_cookies_is_private(served):
    """Fails if the middleware stops treating a request's cookies or credentials as making it private."""
    callers = {
        "lang cookie": ({}, {"lang": "en"}),
        "signed in": ({}, {SESSION_COOKIE: served.cookie}),
        "token": ({"Authorization": f"Bearer {served.token}"}, {}),
    }
    checked = 0
    for who, (headers, cookies) in callers.items():
        with httpx.Client(base_url=served.base, headers=headers, cookies=cookies, timeout=30) as client:
            for path, method in served.routes:
                if method != "GET" and who == "token":
                    continue  # a token is exempt from CSRF: its writes would change the data under test
                for verb, url in requests(served, method, path):
                    assert_private(client.request(verb, url), who)
                    checked += 1
    assert checked > 100


def test_anonymous_reads_are_public_for_a_minute_and_vary_on_cookies(served):
    """Fails if public answers lose their explicit caching or their ``Vary: Cookie``."""
    public = 0
    with httpx.Client(base_url=served.base, timeout=30) as client:
        for path, method in served.routes:
            for verb, url in requests(served, method, path):
                response = client.request(verb, url)
                client.cookies.clear()  # stay cookie-less (the sign-in page sets one)
                if method != "GET" or response.status_code != 200 or "set-cookie" in response.headers:
                    assert_private(response, "anonymous")
                    continue
                assert response.headers["cache-control"] == "public, max-age=60", url
                assert {"cookie", "authorization", "accept-language"} <= vary(response), url
                public += 1
    assert public > 15


def test_signed_in_pages_answer_the_user_and_no_cache_keeps_them(served):
    """The pages the security probe found cacheable: each answers the signed-in user (200), privately."""
    cookies = {SESSION_COOKIE: served.cookie}
    with httpx.Client(base_url=served.base, cookies=cookies, timeout=30) as client:
        for url in [*SIGNED_IN_PAGES, f"/submissions/{served.submission}", f"/api/submissions/{served.submission}"]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_private(response, "signed in")
        report = client.get(f"/api/submissions/{served.submission}/report", params={"format": "csv"})
        assert_private(report, "signed in")


def test_anonymous_requests_for_private_pages_are_not_cached_either(served):
    with httpx.Client(base_url=served.base, timeout=30) as client:
        for url in SIGNED_IN_PAGES:
            response = client.get(url)
            assert response.status_code in (303, 401), url
            assert_private(response, "anonymous")


def test_static_files_are_public_for_an_hour(served):
    response = httpx.get(f"{served.base}/static/css/pivgm.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=3600"


def test_pages_link_static_files_by_content_hash_and_those_addresses_are_kept_for_a_year(served):
    """Every static file a page links carries its content hash (``?v=``) and is immutable; a stale or
    made-up hash, or none, gets the hour (fails if pages link bare addresses or the hash is not checked)."""
    with httpx.Client(base_url=served.base, timeout=30) as client:
        page = client.get("/explore/DF_IRREGULAR_TRANSIT", params={"lang": "es"}).text
        linked = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
        assert {"css/pivgm.css", "js/explorer.js"} <= {u.split("?")[0].removeprefix("/static/") for u in linked}
        for address in linked:
            assert re.search(r"\?v=[0-9a-f]{16}$", address), address
            response = client.get(address.replace("&amp;", "&"), headers={"accept-encoding": "gzip"})
            assert response.status_code == 200, address
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable", address
        for stale in ("/static/css/pivgm.css?v=0123456789abcdef", "/static/css/pivgm.css"):
            assert client.get(stale).headers["cache-control"] == "public, max-age=3600", stale


def assert_protected(response: httpx.Response) -> None:
    where = (response.request.method, str(response.request.url), response.status_code)
    policy = response.headers.get("content-security-policy", "")
    scripts = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    embed = response.request.url.path.endswith("/embed") and response.status_code == 200
    assert ("frame-ancestors *" if embed else "frame-ancestors 'none'") in policy, where
    assert response.headers.get("x-frame-options") == (None if embed else "DENY"), where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert "strict-transport-security" not in response.headers, where  # plain http, not behind TLS


def test_every_answer_carries_the_security_headers(served):
    """Fails if the middleware stops setting any of them, or a route's own policy allows inline scripts."""
    checked = 0
    with httpx.Client(base_url=served.base, cookies={SESSION_COOKIE: served.cookie}, timeout=30) as client:
        for path, method in [*served.routes, ("/static/js/charts.js", "GET"), ("/no/such/page", "GET")]:
            for verb, url in requests(served, method, path):
                assert_protected(client.request(verb, url))
                checked += 1
    assert checked > 50


def test_the_api_docs_allow_their_inline_script_by_nonce_only(served):
    response = httpx.get(f"{served.base}/api/docs")
    nonce = response.text.split('<script nonce="', 1)[1].split('"', 1)[0]
    assert f"'nonce-{nonce}'" in response.headers["content-security-policy"]
    assert "<script>" not in response.text
    assert (
        httpx.get(f"{served.base}/api/docs").headers["content-security-policy"]
        != response.headers["content-security-policy"]
    )


def test_behind_tls_every_answer_asks_for_https_from_then_on(tmp_path):
    """HSTS when the deployment says it is behind TLS (``PIVGM_SECURE_COOKIES``); fails if it is not sent."""
    platform = new_platform(tmp_path, secure_cookies=True)
    with TestClient(create_app(platform.settings)) as client:
        for url in ["/", "/api/dataflows", "/static/css/pivgm.css", "/login"]:
            assert client.get(url).headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
