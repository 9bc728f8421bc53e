"""The national statistician's and the reviewers' journey, in Spanish and in English, over a real server:
sign in -> set one's e-mail address -> upload a real messy workbook (INEC Panamá's labour-market table) and
read the report of its suggested mapping -> fix the mapping with dropdowns only (the label column's role,
four conditions on the rows kept, codes for the labels, the unit of measure) -> a clean report -> send it ->
a second person reviews it with its changes in sight and approves -> a regional reviewer publishes it under
embargo -> the public page shows it only afterwards.

On every signed-in page: no English string of the message catalogue on a Spanish page, never JSON for the
browser, and axe-core finds no serious or critical problem. The mapping and review pages fit 390 px."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from pivgm.accounts import users
from pivgm.accounts.actor import system_actor
from pivgm.platform import Platform
from pivgm.web.i18n import messages
from tests.backends import settings_for
from tests.browser.browsing import screenshot, wait_for_charts
from tests.live import serving

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
INEC = ROOT / "tests" / "ingest" / "specimens" / "messy" / "INEC_Panama_EML_Cuadro2_oct2024.xlsx"
LABELS = "Área, provincia, comarca indígena y condición en la actividad económica"
INDICATORS = {
    "TOTAL": "POP_15PLUS_LFS",
    "Económicamente activa": "LABOUR_FORCE_LFS",
    "Ocupada": "EMPLOYED_LFS",
    "Desocupada": "UNEMPLOYED_LFS",
    "No económicamente activa": "INACTIVE_LFS",
}
PASSWORD = "a long enough passphrase"
TEAM = {
    "pa.sub": [("national_submitter", "PA_INEC")],
    "pa.app": [("national_approver", "PA_INEC")],
    "rcm.rev": [("regional_reviewer", None)],
}
EMBARGO_SECONDS = 12
AXE_RUN = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
WORDS = {
    "es": {"approve": "Aprobar (nacional)", "regional": "Aprobar (regional)", "publish": "Publicar"},
    "en": {"approve": "Approve (national)", "regional": "Approve (regional)", "publish": "Publish"},
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A fresh platform (nothing published) with the three people of the journey."""
    platform = Platform.initialise(settings_for(tmp_path / "data"))
    for username, grants in TEAM.items():
        users.add(platform, system_actor("cli:tester"), username, username.title(), PASSWORD)
        for role, provider in grants:
            users.grant(platform, system_actor("cli:tester"), username, role, provider)
    with serving(platform.settings) as base:
        yield base


def english_only_messages() -> list[str]:
    """Catalogue strings that are English and differ from their Spanish text (long enough to be telling)."""
    found = []
    for entry in messages().values():
        english, spanish = entry.get("en", ""), entry.get("es", "")
        if english and english != spanish and len(english) > 8 and "{" not in english:
            found.append(english)
    return found


class Journey:
    """One browser tab, with the checks every signed-in page must pass."""

    def __init__(self, browser, base: str, language: str, outside: list[str]) -> None:  # type: ignore[no-untyped-def]
        locale = "es-ES" if language == "es" else "en-GB"
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        self.context.route("**/*", self._only_here)
        self.page = self.context.new_page()
        self.base, self.language, self.outside = base, language, outside
        self.english = english_only_messages() if language == "es" else []
        self.step = 0
        self.page.on("response", self._no_json_for_pages)

    def _only_here(self, route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(self.base + "/") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _no_json_for_pages(self, response) -> None:  # type: ignore[no-untyped-def]
        if response.request.resource_type == "document":
            assert "json" not in response.headers.get("content-type", ""), response.url

    def check(self, name: str) -> None:
        """The page in its language, accessible, and kept as a screenshot."""
        page = self.page
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == self.language
        text = page.inner_text("body")
        leaked = [message for message in self.english if message in text]
        assert leaked == [], f"English on the Spanish page {page.url}: {leaked}"
        if AXE.exists():
            # evaluated through the DevTools protocol, which the page's CSP does not govern: the CSP stays on
            # for the pages themselves, so an inline script in a template would break this journey
            page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
            violations = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            )
            serious = [
                f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
            assert serious == [], (page.url, serious)
        self.step += 1
        screenshot(page, f"journey-{self.language}-{self.step:02d}-{name}")

    def fits(self, width: int) -> None:
        """The page fits ``width`` pixels (failing, names the elements that stick out)."""
        self.page.set_viewport_size({"width": width, "height": 844})
        with contextlib.suppress(PlaywrightTimeout):  # charts (Vega's fit-x) redraw after the resize event
            self.page.wait_for_function("w => document.documentElement.scrollWidth <= w", arg=width, timeout=5_000)
        wide = self.page.evaluate(
            "w => [...document.querySelectorAll('body *')].filter(e => e.scrollWidth > e.clientWidth + 1"
            " && getComputedStyle(e).overflowX === 'visible' || e.getBoundingClientRect().right > w + 1)"
            ".filter(e => !e.parentElement.closest('.table-scroll') || getComputedStyle(e).position === 'absolute')"
            ".slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)",
            width,
        )
        assert self.page.evaluate("document.documentElement.scrollWidth") <= width, wide

    def sign_in(self, username: str) -> None:
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_load_state()

    def sign_out(self) -> None:
        self.page.click(".logout-form button")
        self.page.wait_for_load_state()

    def upload(self, dataflow: str, name: str, content: bytes) -> None:
        """Choose the dataset and upload a file: ends on the preview."""
        page = self.page
        page.goto(f"{self.base}/submit?lang={self.language}")
        page.check(f"input[value={dataflow}]")
        self.check("choose")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        page.set_input_files("#file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}])
        self.check("upload")
        with page.expect_navigation():
            page.click("#upload-form button[type=submit]")
        page.wait_for_selector("table.data-table")

    def to_mapping(self) -> None:
        self.page.click("a.button.primary")
        self.page.wait_for_selector("#mapping-form")

    def redrawn(self, selector: str, value: str) -> None:
        """Choose ``value`` in a select whose change redraws the mapping page (mapping.js)."""
        with self.page.expect_navigation():
            self.page.select_option(selector, value)
        self.page.wait_for_selector("#mapping-form")

    def keep_rows(self, number: int, column: str, operator: str, values: list[str]) -> None:
        """Condition ``number`` of the rows kept, chosen with its dropdowns."""
        self.redrawn(f"#filter-column-{number}", column)
        self.page.select_option(f"#filter-op-{number}", operator)
        if values:
            self.page.select_option(f"#filter-values-{number}", values)

    def validate(self) -> None:
        with self.page.expect_navigation():
            self.page.click("#mapping-form button[type=submit]:not([data-refresh])")

    def take(self, action: str, comment: str = "", release_at: str = "") -> None:
        form = self.page.locator(f"form.action-form:has(input[name=action][value={action}])")
        if comment:
            form.locator("input[name=comment]").fill(comment)
        if release_at:
            form.locator("input[name=release_at]").fill(release_at)
        with self.page.expect_navigation():
            form.locator("button").click()


@pytest.mark.parametrize("language", ["es", "en"])
def test_from_a_messy_workbook_to_an_embargoed_publication(browser, server, language):
    outside: list[str] = []
    journey = Journey(browser, server, language, outside)
    page = journey.page
    words = WORDS[language]

    # Sign in: the upload page sends a stranger to the sign-in page and back.
    page.goto(f"{server}/submit?lang={language}")
    assert "/login" in page.url
    journey.sign_in("pa.sub")
    assert page.url.startswith(f"{server}/submit")

    # Their own e-mail address, where review notices reach them: their name in the header leads there.
    page.click(".account-nav a.who")
    page.fill("#email", "estadistica@inec.gob.pa")
    with page.expect_navigation():
        page.click("#email-form button[type=submit]")
    assert page.locator(".status.ok").count() == 1 and page.input_value("#email") == "estadistica@inec.gob.pa"
    journey.check("account")

    # A real messy workbook: its sheet and header rows, the mapping the platform suggests, its report.
    journey.upload("DF_SOCIOECONOMIC", INEC.name, INEC.read_bytes())
    assert page.locator("#sheet").input_value() == "Cuadro 2"
    journey.check("preview")
    page.select_option("#header-rows", "3")
    page.click("main form.form-card button[type=submit]")
    page.wait_for_load_state()
    journey.to_mapping()
    journey.validate()
    assert page.locator(".status.bad").count() == 1
    journey.check("report-with-errors")

    # Fixed with dropdowns (no JSON typed): what the labels are, which rows are national counts, their
    # codes, the unit of measure.
    with page.expect_navigation():
        page.click("#fix-mapping")
    page.wait_for_selector("#mapping-form")
    journey.redrawn(f'select[name="role:{LABELS}"]', "INDICATOR")
    journey.keep_rows(0, "_group_1", "equals", ["TOTAL"])  # the national block
    journey.keep_rows(1, "_group_2", "empty", [])  # not its urban and rural blocks
    journey.keep_rows(2, "_header_3", "equals", ["Total"])  # both sexes
    journey.keep_rows(3, LABELS, "in", list(INDICATORS))  # counts, not percentages
    with page.expect_navigation():
        page.click("#mapping-form button[data-refresh]")
    assert "10" in page.inner_text("#rows-kept")
    for label, code in INDICATORS.items():
        page.fill(f'input[name="value:INDICATOR:{label}"]', code)
    assert page.locator("#const-UNIT_MEASURE").input_value() == ""
    page.select_option("#const-UNIT_MEASURE", "PS")
    journey.fits(390)
    journey.check("mapping-390px")
    page.set_viewport_size({"width": 1280, "height": 900})
    journey.validate()
    assert page.locator(".status.ok").count() == 1
    journey.check("report")
    page.fill("#submit-comment", "INEC, Encuesta de Mercado Laboral: agosto 2023 y octubre 2024")
    with page.expect_navigation():
        page.click("form.action-form button")
    submission_url = page.url.split("?")[0]
    journey.sign_out()

    # A second person reviews it with its changes in sight, and approves.
    page.goto(f"{submission_url}?lang={language}")
    journey.sign_in("pa.app")
    assert page.locator(".account-nav .count").first.inner_text().startswith("1")
    assert page.locator("#changes-table").is_visible()
    assert page.locator(".badge.new").first.inner_text().startswith("10")
    wait_for_charts(page)
    journey.check("review")
    journey.fits(390)
    screenshot(page, f"journey-{language}-review-390px")
    page.set_viewport_size({"width": 1280, "height": 900})
    journey.take("approve-national", "OK")
    assert page.locator(f"text={words['approve']}").count() >= 1  # in the history
    journey.sign_out()

    # The regional reviewer approves and publishes under an embargo.
    page.goto(f"{submission_url}?lang={language}")
    journey.sign_in("rcm.rev")
    journey.take("approve-regional")
    release = datetime.now(UTC) + timedelta(seconds=EMBARGO_SECONDS)
    journey.take("publish", release_at=release.strftime("%Y-%m-%dT%H:%M:%S"))

    # The public page: nothing before the embargo ends, the data after.
    public = f"{server}/explore/DF_SOCIOECONOMIC?view=table&REF_AREA=PAN&INDICATOR=POP_15PLUS_LFS&lang={language}"
    page.goto(public)
    assert datetime.now(UTC) < release, "the test was too slow to look before the embargo ended"
    assert page.locator("main table.data-table td").count() == 0
    screenshot(page, f"journey-{language}-public-before")
    page.goto(f"{submission_url}?lang={language}")
    journey.check("published")
    time.sleep(max(0.0, (release - datetime.now(UTC)).total_seconds()) + 2.5)
    page.goto(public)
    page.wait_for_load_state()
    screenshot(page, f"journey-{language}-public-after")
    assert page.locator("main table.data-table td").count() > 0
    assert "3,358,667" in page.inner_text("main table.data-table")  # October 2024, aged 15 and over
    journey.context.close()
    assert outside == []


def test_an_expired_session_keeps_what_was_typed(browser, server):
    """Fails if keep-work.js stops putting the form back after signing in again (the field would be empty)."""
    outside: list[str] = []
    journey = Journey(browser, server, "es", outside)
    page = journey.page
    page.goto(f"{server}/account/tokens")
    journey.sign_in("pa.sub")
    page.fill("#token-name", "carga nocturna del INEC")
    journey.context.clear_cookies()
    journey.context.add_cookies([{"name": "pivgm_session", "value": "expired", "url": server}])
    with page.expect_navigation():
        page.click("main form[action^='/account/tokens'] button[type=submit]")
    assert "/login" in page.url and "Su sesión caducó" in page.inner_text("main")
    journey.sign_in("pa.sub")
    assert page.url.startswith(f"{server}/account/tokens")
    assert page.input_value("#token-name") == "carga nocturna del INEC"
    journey.context.close()
    assert outside == []
