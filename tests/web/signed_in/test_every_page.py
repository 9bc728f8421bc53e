"""Every page of the signed-in area, asked for by a Spanish browser: HTML (never JSON), in Spanish only
(no English string of the message catalogue in what it shows), and the same page in English."""

from __future__ import annotations

import html
import re

import pytest

from pivgm.web.i18n import messages
from tests.web.signed_in.conftest import browser, form_token, honduras_file

SIGNED_IN_PAGES = [
    "/submit",
    "/submit/upload?provider=HN_INM&dataflow=DF_IRREGULAR_TRANSIT",
    "/submissions",
    "/review",
    "/account",
    "/account/tokens",
    "/account/password",
    "/admin/users",
    "/admin/audit",
]
PER_SUBMISSION = ["/submissions/{id}", "/submissions/{id}/report", "/submissions/{id}/rows?row=2"]
PER_FILE = ["/submit/file/{sha}?{q}", "/submit/file/{sha}/mapping?{q}"]
QUERY = "provider=HN_INM&dataflow=DF_IRREGULAR_TRANSIT"


def shown_text(page: str) -> str:
    """What a person reads: the body without scripts, tags, codes, or the other language's switch link."""
    body = page.split("<body", 1)[1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    body = re.sub(r'<a class="lang-switch".*?</a>', " ", body, flags=re.S)
    body = re.sub(r"<(datalist|option)[^>]*>.*?</\1>", " ", body, flags=re.S)  # codes' names: codelists
    body = re.sub(r"<code>.*?</code>", " ", body, flags=re.S)  # machine identifiers (audit details, digests)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def english_only() -> list[str]:
    return [
        e["en"]
        for e in messages().values()
        if e.get("en") and e["en"] != e.get("es") and len(e["en"]) > 8 and "{" not in e["en"]
    ]


@pytest.fixture(scope="module")
def pages(team) -> list[str]:
    """The signed-in pages, with one real submission and one staged file to fill their paths."""
    client = browser(team, "hn.admin")
    page = client.get("/submit/upload", params={"provider": "HN_INM", "dataflow": "DF_IRREGULAR_TRANSIT"})
    staged = client.post(
        "/submit/upload",
        data={"provider": "HN_INM", "dataflow": "DF_IRREGULAR_TRANSIT", "csrf_token": form_token(page.text)},
        files={"file": ("irreg_honduras.csv", honduras_file())},
    )
    sha = re.search(r"/submit/file/([0-9a-f]{64})", staged.headers["location"]).group(1)
    created = client.post(
        "/api/submissions",
        data={
            "dataflow": "DF_IRREGULAR_TRANSIT",
            "provider": "HN_INM",
            "mapping": '{"constants": {"UNIT_MEASURE": "PS"}}',
            "csrf_token": form_token(page.text),
        },
        files={"file": ("irreg_honduras.csv", honduras_file(), "text/csv")},
        headers={"Accept": "application/json"},
    )
    number = created.json()["id"]
    return [
        *SIGNED_IN_PAGES,
        *(p.format(id=number) for p in PER_SUBMISSION),
        *(p.format(sha=sha, q=QUERY) for p in PER_FILE),
    ]


def test_every_signed_in_page_is_html_in_spanish_only(team, pages):
    """Fails if any of these pages shows an English catalogue string to a Spanish reader (e.g. a label
    written in a template instead of taken from the catalogue)."""
    client = browser(team, "hn.admin", "es")
    english = english_only()
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), path
        text = shown_text(response.text)
        leaked = [message for message in english if message in text]
        assert leaked == [], (path, leaked)


def test_every_signed_in_page_exists_in_english(team, pages):
    client = browser(team, "hn.admin", "en")
    for path in pages:
        response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
        assert response.status_code == 200, path
        assert '<html lang="en">' in response.text, path
