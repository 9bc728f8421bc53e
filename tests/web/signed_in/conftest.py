"""A real server with a small team: a Honduras submitter who is also a national approver (so four eyes have
something to stop), a second Honduras approver, and a regional reviewer; browser-like httpx clients."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from pivgm.accounts import users
from pivgm.accounts.actor import system_actor
from pivgm.platform import Platform
from tests.backends import settings_for
from tests.live import serving

PASSWORD = "a long enough passphrase"
ROOT = system_actor("cli:tester")
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VENDORED = Path(__file__).resolve().parents[3] / "pivgm" / "sources" / "vendored"
TEAM = {
    "hn.sub": [("national_submitter", "HN_INM"), ("national_approver", "HN_INM")],
    "hn.app": [("national_approver", "HN_INM")],
    "rcm.rev": [("regional_reviewer", None)],
    "hn.only": [("national_submitter", "HN_INM")],
    "hn.admin": [("administrator", None)],
    "pa.sub": [("national_submitter", "PA_INEC")],
}


@dataclass
class Team:
    base: str
    platform: Platform


@pytest.fixture(scope="package")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    platform = Platform.initialise(settings_for(tmp_path_factory.mktemp("signed-in")))
    for username, grants in TEAM.items():
        users.add(platform, ROOT, username, username.title(), PASSWORD)
        for role, provider in grants:
            users.grant(platform, ROOT, username, role, provider)
    with serving(platform.settings) as base:
        yield Team(base, platform)


def form_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def browser(team: Team, username: str | None = None, language: str = "es") -> httpx.Client:
    """A client that asks for pages like a browser, signed in through the login form when ``username``."""
    client = httpx.Client(base_url=team.base, headers={**HTML, "Accept-Language": language}, timeout=60)
    if username:
        token = form_token(client.get("/login").text)
        response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303, response.text
    return client


def honduras_file() -> bytes:
    """Honduras INM's monthly irregular transits (the real file the platform vendors)."""
    return gzip.decompress((VENDORED / "irreg_honduras.csv.gz").read_bytes())


class _FormFields(HTMLParser):
    """The fields a browser would send from the form with ``form_id`` (selected options, input values)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.select, self.multiple = form_id, False, None, False
        self.fields: list[list[str]] = []
        self.action = ""

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attributes}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside, self.action = True, a.get("action", "")
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            self.fields.append([a["name"], a.get("value", "")])
        elif tag == "select":
            self.select, self.multiple = [a["name"], ""], "multiple" in a
            if not self.multiple:
                self.fields.append(self.select)
        elif tag == "option" and self.select is not None and "selected" in a:
            if self.multiple:
                self.fields.append([self.select[0], a.get("value", "")])
            else:
                self.select[1] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, form_id: str) -> tuple[str, dict[str, str]]:
    """The action and the fields of a form as the page sets them (of a multiple choice, the last chosen)."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.action.replace("&amp;", "&"), dict((name, value) for name, value in parser.fields)


def form_sent(html: str, form_id: str) -> tuple[str, dict[str, list[str]]]:
    """The action and what a browser sends from the form untouched: every chosen value of a multiple choice."""
    parser = _FormFields(form_id)
    parser.feed(html)
    sent: dict[str, list[str]] = {}
    for name, value in parser.fields:
        sent.setdefault(name, []).append(value)
    return parser.action.replace("&amp;", "&"), sent


def upload(client: httpx.Client, provider: str, dataflow: str, name: str, content: bytes) -> httpx.Response:
    """The upload step: its page, then the file sent as the form sends it; answers the preview page."""
    page = client.get("/submit/upload", params={"provider": provider, "dataflow": dataflow})
    response = client.post(
        "/submit/upload",
        data={"provider": provider, "dataflow": dataflow, "csrf_token": form_token(page.text)},
        files={"file": (name, content)},
    )
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"])
