"""A refused account change (a short password, a username already taken, a token without a name) is explained
on the page in the page's language: Spanish pages never show the service's English message."""

from __future__ import annotations

import html

import pytest

from tests.web.signed_in.conftest import PASSWORD, browser, form_token

CASES = [
    # (who, page, form path, fields, Spanish words, English words)
    (
        "hn.only",
        "/account/password",
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "repeat_password": "short"},
        "La contraseña tiene 5 caracteres",
        "The password has 5 characters",
    ),
    (
        "hn.admin",
        "/admin/users",
        "/admin/users",
        {"username": "hn.sub", "display_name": "Again"},
        "El nombre de usuario 'hn.sub' ya está en uso",
        "The username 'hn.sub' is taken",
    ),
    (
        "hn.sub",
        "/account/tokens",
        "/account/tokens",
        {"name": "  ", "days": "30"},
        "Dé al token un nombre",
        "Give the token a name",
    ),
]


@pytest.mark.parametrize(("who", "page", "path", "fields", "spanish", "english"), CASES, ids=lambda c: str(c))
def test_a_refused_account_change_is_explained_in_the_page_language(team, who, page, path, fields, spanish, english):
    """Fails if the page shows ``error.message`` (English) instead of the error's text in the page language."""
    for language, expected, other in (("es", spanish, english), ("en", english, spanish)):
        client = browser(team, who, language)
        token = form_token(client.get(page).text)
        refused = client.post(path, data={**fields, "csrf_token": token})
        assert 400 <= refused.status_code < 500, refused.text[:300]
        assert refused.headers["content-type"].startswith("text/html")
        shown = html.unescape(refused.text)
        assert expected in shown and other not in shown, (language, shown[-2000:])
