"""The signed-in pages run under the Content Security Policy the server sends, in headless Chromium: the upload
wizard's steps, my submissions, the review queue, a submission under review (its changes and charts), its
report and rows, tokens, password, and the administrator's users and audit log. No policy violation, no
console error, no uncaught script error, no request outside the server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from pivgm.accounts.actor import Role
from pivgm.ingest.mapping import Mapping
from pivgm.workflow import drafts
from pivgm.workflow.submissions import SubmissionRequest, submit
from pivgm.workflow.transitions import take_step
from tests.conftest import new_platform
from tests.live import serving
from tests.people import ADMIN, PASSWORD, person

pytestmark = pytest.mark.browser

FLOW = "DF_IRREGULAR_TRANSIT"
PROVIDER = "MX_UPM"
MAPPING = Mapping(
    columns={"CITIZENSHIP": "Nacionalidad", "TIME_PERIOD": "Mes", "OBS_VALUE": "Eventos"},
    constants={"FREQ": "M", "SEX": "_T", "AGE": "_T", "ACCOMPANIMENT": "_T", "UNIT_MEASURE": "EVENTS"}
    | {"REF_AREA": "MEX"},
)
FIRST = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;1234\nHND;2024-01;850\nVEN;2024-02;1300\nHND;2024-02;900\n"
REVISED = b"Nacionalidad;Mes;Eventos\nVEN;2024-01;1240\nHND;2024-01;850\nVEN;2024-02;1310\nGTM;2024-02;12\n"
LISTEN = """() => { window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


CHOICE = urlencode({"provider": PROVIDER, "dataflow": FLOW})
PAGES = [
    "/submit",
    f"/submit/upload?{CHOICE}",
    f"/submit/file/{{staged}}?{CHOICE}",
    f"/submit/file/{{staged}}/mapping?{CHOICE}",
    f"/submit/file/{{staged}}/mapping?{CHOICE}&lang=en",
    "/submissions",
    "/review",
    "/submissions/{revision}",
    "/submissions/{revision}?lang=en",
    "/submissions/{published}",
    "/submissions/{revision}/report",
    "/submissions/{revision}/rows?row=2",
    "/account/tokens",
    "/account/password",
    "/admin/users",
    "/admin/audit",
    "/admin/audit?lang=en",
]


@dataclass(frozen=True)
class Site:
    base: str
    ids: dict[str, object]  # what the page addresses name: the staged file, the two submissions


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A published release, a revision of it awaiting review, and a file staged in the upload wizard."""
    platform = new_platform(tmp_path_factory.mktemp("signed-in-csp"))
    admin = person(platform, "admin", (Role.ADMINISTRATOR, None))
    published = submit(platform, SubmissionRequest(PROVIDER, FLOW, "mx.csv", FIRST, MAPPING)).submission.id
    for action in ["submit", "approve-national", "approve-regional", "publish"]:
        take_step(platform, ADMIN, published, action, "", None)
    revision = submit(platform, SubmissionRequest(PROVIDER, FLOW, "mx-rev.csv", REVISED, MAPPING)).submission.id
    take_step(platform, ADMIN, revision, "submit", "Revised January", None)
    upload = tmp_path_factory.mktemp("upload") / "mx.csv"
    upload.write_bytes(FIRST)
    staged = drafts.stage(platform, admin.actor, PROVIDER, FLOW, "mx.csv", upload)
    with serving(platform.settings) as base:
        yield Site(base, {"staged": staged, "revision": revision, "published": published})


@pytest.fixture(scope="module")
def signed_in(browser, site: Site) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A browser context signed in as the administrator through the sign-in form, refusing other sites."""
    outside: list[str] = []

    def only_here(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(site.base + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-ES")
    context.route("**/*", only_here)
    context.add_init_script(script=f"({LISTEN})()")  # runs before each page's own scripts
    page = context.new_page()
    page.goto(f"{site.base}/login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login" not in page.url, "the administrator could not sign in"
    page.close()
    yield context
    context.close()
    assert outside == [], f"the browser reached outside the server: {outside}"


@pytest.mark.parametrize("template", PAGES)
def test_a_signed_in_page_runs_under_the_policy_without_errors(signed_in, site, template):
    """Fails if a signed-in template gains an inline script or handler (``onclick=``), a script uses eval, a
    chart is compiled with ``new Function``, or a page's script throws or logs an error."""
    path = template.format(**site.ids)
    page = signed_in.new_page()  # type: ignore[attr-defined]
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    response = page.goto(site.base + path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert "/login" not in page.url, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    charts = page.locator(".chart")
    if charts.count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('.chart')].every(c => c.getAttribute('data-rendered') === 'true')",
            timeout=15000,
        )
    assert page.evaluate("window.__violations") == [], path
    assert console == [], path
    page.close()
