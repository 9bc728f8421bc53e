"""Each person sets the e-mail address their review notifications go to, on their own account page, over
HTTP as a browser sends the form: validated, audited, protected against cross-site forms."""

from __future__ import annotations

from pivgm.accounts.actor import system_actor
from pivgm.accounts.audit import AuditFilter, list_events
from pivgm.records import AccountStore
from pivgm.workflow.notify import address
from tests.web.signed_in.conftest import browser, form_token


def stored(team, username: str) -> str | None:  # type: ignore[no-untyped-def]
    user = AccountStore(team.platform.records.engine).user(username)
    assert user is not None
    return user.email


def email_events(team) -> list:  # type: ignore[no-untyped-def]
    found = list_events(team.platform, system_actor("cli:tester"), AuditFilter(action="user.email-set"))
    return [e for e in found.events if e.target == "user:hn.app"]


def test_the_account_page_needs_a_session_and_shows_roles_in_words(team):
    stranger = browser(team).get("/account", follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")
    page = browser(team, "hn.app").get("/account")
    assert page.status_code == 200 and "Aprobador nacional · Instituto Nacional de Migración de Honduras" in page.text
    assert 'id="email"' in page.text and 'action="/account/email' in page.text


def test_a_person_sets_changes_and_removes_their_own_address_which_notifications_use(team):
    """Fails if the form stops reaching the account (the address would stay unset), or if the change is not
    audited as the person's own."""
    client = browser(team, "hn.app")
    token = form_token(client.get("/account").text)
    saved = client.post("/account/email", data={"email": " Ana.Lopez@INM.gob.HN ", "csrf_token": token})
    assert saved.status_code == 303 and "done=email" in saved.headers["location"]
    assert "Correo electrónico guardado." in client.get(saved.headers["location"]).text
    assert stored(team, "hn.app") == "Ana.Lopez@inm.gob.hn"
    user = AccountStore(team.platform.records.engine).user("hn.app")
    assert user is not None and address(user) == "Ana.Lopez@inm.gob.hn"  # where review mail goes
    event = email_events(team)[0]
    assert event.actor_name == "hn.app" and event.details == {"from": None, "to": "Ana.Lopez@inm.gob.hn"}
    again = client.post("/account/email", data={"email": "Ana.Lopez@Inm.Gob.Hn", "csrf_token": token})
    assert "done=unchanged" in again.headers["location"]
    removed = client.post("/account/email", data={"email": "", "csrf_token": token})
    assert "done=email-removed" in removed.headers["location"] and stored(team, "hn.app") is None
    assert len(email_events(team)) == 2


def test_a_bad_address_is_explained_in_the_page_language_and_nothing_is_written(team):
    for language, words in (("es", "no es una dirección de correo válida"), ("en", "is not a valid e-mail address")):
        client = browser(team, "rcm.rev", language)
        token = form_token(client.get("/account").text)
        refused = client.post("/account/email", data={"email": "rcm at sica", "csrf_token": token})
        assert refused.status_code == 422 and words in refused.text and "rcm at sica" in refused.text
        assert 'aria-invalid="true"' in refused.text and "application/json" not in refused.headers["content-type"]
    assert stored(team, "rcm.rev") is None


def test_a_form_from_elsewhere_changes_nothing(team):
    client = browser(team, "rcm.rev")
    refused = client.post("/account/email", data={"email": "rcm@sica.int"})
    assert refused.status_code == 403 and stored(team, "rcm.rev") is None
