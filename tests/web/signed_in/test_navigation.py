"""The signed-in area over HTTP, as a browser meets it: the header says who is signed in and where they
can go; pages that need a session send browsers to the sign-in page and back, while API clients get JSON."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
import pytest

from tests.web.signed_in.conftest import browser


def test_a_browser_without_a_session_is_sent_to_sign_in_and_back(team):
    """Fails if the browser branch of the error handler is removed (the page would answer JSON 401)."""
    response = browser(team).get("/submit?lang=en", follow_redirects=False)
    assert response.status_code == 303
    assert unquote(response.headers["location"]) == "/login?next=/submit?lang=en"


def test_an_api_client_gets_json_not_a_redirect(team):
    response = httpx.get(f"{team.base}/submit", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication-required"


def test_an_expired_session_says_so_on_the_sign_in_page(team):
    """Fails if ``sign_in_again`` stops adding ``expired=1`` for a stale session cookie."""
    client = browser(team)
    client.cookies.set("pivgm_session", "no-longer-valid")
    response = client.get("/submissions", follow_redirects=False)
    assert response.headers["location"].endswith("&expired=1")
    page = client.get(response.headers["location"])
    assert "Su sesión caducó" in page.text


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("es", ["Enviar datos", "Mis envíos", "Revisar", "Tokens de API", "Cerrar sesión"]),
        ("en", ["Submit data", "My submissions", "Review", "API tokens", "Sign out"]),
    ],
)
def test_the_header_shows_where_a_signed_in_person_can_go(team, language, labels):
    page = browser(team, "hn.sub", language).get(f"/submissions?lang={language}").text
    header = page.split("<main", 1)[0]
    for label in labels:
        assert label in header
    assert "/admin/users" not in header  # not an administrator


def test_review_is_in_the_header_only_for_those_who_review(team):
    header = browser(team, "hn.only").get("/submissions").text.split("<main", 1)[0]
    assert "Mis envíos" in header and "/review" not in header


def test_a_regional_reviewer_who_never_submits_has_no_my_submissions_link(team):
    header = browser(team, "rcm.rev").get("/review").text.split("<main", 1)[0]
    assert "Revisar" in header and "Mis envíos" not in header


def test_a_browser_gets_an_error_page_in_its_language_not_json(team):
    response = browser(team, "hn.app").get("/submissions/999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "No existe esa página." in response.text
