"""Signing in through the browser: the login form, cookies, CSRF on every form, bearer tokens for scripts."""

from __future__ import annotations

import pytest

from pivgm.accounts import users
from tests.accounts.conftest import PASSWORD, form_token, sign_in


def cookie_header(response, name):
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


def test_the_login_page_speaks_spanish_by_default_and_english_on_request(new_client):
    client = new_client()
    assert "Iniciar sesión" in client.get("/login").text
    assert "Sign in" in client.get("/login?lang=en").text


def test_signing_in_sets_an_httponly_samesite_session_cookie_and_goes_to_the_next_page(new_client, make_user):
    make_user("ana")
    client = new_client()
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "ana", "password": PASSWORD, "csrf_token": token, "next": "/account/tokens"},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/account/tokens")
    cookie = cookie_header(response, "pivgm_session").lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert client.get("/api/me").json()["username"] == "ana"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_signing_in_never_redirects_to_another_site(new_client, make_user, target):
    make_user("ana")
    client = new_client()
    token = form_token(client.get("/login").text)
    data = {"username": "ana", "password": PASSWORD, "csrf_token": token, "next": target}
    assert client.post("/login", data=data, follow_redirects=False).headers["location"] == "/"


def test_cookies_are_secure_over_https_and_when_the_setting_says_so(new_client, make_user, platform):
    make_user("ana")
    https = new_client(base_url="https://testserver")
    assert "secure" in cookie_header(https.get("/login"), "pivgm_login").lower()
    platform.settings.secure_cookies = True
    assert "secure" in cookie_header(new_client().get("/login"), "pivgm_login").lower()


def test_a_wrong_password_shows_the_form_again_with_a_message(new_client, make_user):
    make_user("ana")
    client = new_client()
    token = form_token(client.get("/login?lang=en").text)
    response = client.post("/login?lang=en", data={"username": "ana", "password": "nope", "csrf_token": token})
    assert response.status_code == 401
    assert "Wrong username or password." in response.text and 'value="ana"' in response.text
    assert "pivgm_session" not in client.cookies


def test_after_five_failures_the_form_says_to_wait_and_refuses_with_429(new_client, make_user, clock):
    make_user("ana")
    client = new_client()
    for _ in range(5):
        token = form_token(client.get("/login").text)
        client.post("/login", data={"username": "ana", "password": "nope", "csrf_token": token})
    token = form_token(client.get("/login?lang=en").text)
    response = client.post("/login?lang=en", data={"username": "ana", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429 and response.headers["retry-after"] == "900"
    assert "Try again in 15 minutes" in response.text
    clock.advance(minutes=15)
    sign_in(client, "ana")


def test_the_login_form_needs_the_token_of_its_own_pre_session_cookie(new_client, make_user):
    make_user("ana")
    attacker, victim = new_client(), new_client()
    attackers_token = form_token(attacker.get("/login").text)
    victim.get("/login")
    for data in ({}, {"csrf_token": attackers_token}):
        response = victim.post("/login?lang=en", data={"username": "ana", "password": PASSWORD, **data})
        assert response.status_code == 403 and "the password was not checked" in response.text
    assert "pivgm_session" not in victim.cookies


def test_a_form_post_without_the_csrf_token_is_refused_and_audited(new_client, make_user, root, platform):
    make_user("ana", "administrator")
    client = new_client()
    sign_in(client, "ana")
    response = client.post("/admin/users", data={"username": "mallory"})
    assert response.status_code == 403
    assert "security token" in response.json()["error"]["message"]
    assert "mallory" not in client.get("/api/users").text
    events = client.get("/api/audit", params={"action": "auth.csrf"}).json()["events"]
    assert [(e["actor"], e["target"]) for e in events] == [("ana", "/admin/users")]


def test_a_csrf_token_from_another_session_is_refused(new_client, make_user):
    make_user("ana", "administrator")
    make_user("bea", "administrator")
    ana, bea = new_client(), new_client()
    sign_in(ana, "ana")
    beas_token = sign_in(bea, "bea")
    response = ana.post("/admin/users", data={"username": "mallory", "csrf_token": beas_token})
    assert response.status_code == 403
    ana_again = new_client()
    old_token = sign_in(ana_again, "ana")
    ana_again.post("/logout", data={"csrf_token": old_token})
    sign_in(ana_again, "ana")
    response = ana_again.post("/admin/users", data={"username": "mallory", "csrf_token": old_token})
    assert response.status_code == 403  # a new session has a new token


def test_a_form_post_with_the_sessions_token_is_accepted(new_client, make_user):
    make_user("ana", "administrator")
    client = new_client()
    token = sign_in(client, "ana")
    response = client.post("/admin/users", data={"username": "bea", "csrf_token": token})
    assert response.status_code == 200 and 'id="temporary-password"' in response.text


def test_each_page_carries_the_token_masked_differently_and_every_copy_is_accepted(new_client, make_user):
    make_user("ana", "administrator")
    client = new_client()
    first = sign_in(client, "ana")
    second = form_token(client.get("/admin/users").text)
    assert first != second  # a compressed page cannot reveal the token by its length (BREACH)
    for number, token in enumerate((first, second)):
        response = client.post("/admin/users", data={"username": f"bea{number}", "csrf_token": token})
        assert response.status_code == 200


def test_a_json_post_from_a_browser_session_needs_the_csrf_header(new_client, make_user):
    make_user("ana")
    client = new_client()
    token = sign_in(client, "ana")
    assert client.post("/api/tokens", json={"name": "script"}).status_code == 403
    response = client.post("/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 201 and response.json()["token"].startswith("pivgm_")


def test_state_changing_posts_without_a_session_are_401(new_client):
    client = new_client()
    assert client.post("/admin/users", data={"username": "x"}).status_code == 401
    assert client.post("/api/tokens", json={"name": "x"}).status_code == 401


def test_signing_out_ends_the_session(new_client, make_user):
    make_user("ana")
    client = new_client()
    token = sign_in(client, "ana")
    stolen_cookie = client.cookies["pivgm_session"]
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/api/me").status_code == 401
    replay = new_client()
    replay.cookies.set("pivgm_session", stolen_cookie)
    assert replay.get("/api/me").status_code == 401


def test_a_bearer_token_authenticates_api_calls_without_cookies_or_csrf(new_client, make_user):
    make_user("ana", ("national_submitter", "GT_IGM"))
    browser = new_client()
    csrf = sign_in(browser, "ana")
    plain = browser.post("/api/tokens", json={"name": "script", "days": 7}, headers={"X-CSRF-Token": csrf}).json()
    script = new_client()
    headers = {"Authorization": f"Bearer {plain['token']}"}
    me = script.get("/api/me", headers=headers).json()
    assert me["username"] == "ana" and me["via_token"] is True
    assert me["roles"] == [{"role": "national_submitter", "provider": "GT_IGM"}]
    second = script.post("/api/tokens", json={"name": "another"}, headers=headers)  # no CSRF token needed
    assert second.status_code == 201
    assert script.delete(f"/api/tokens/{plain['id']}", headers=headers).json()["revoked_at"]
    response = script.get("/api/me", headers=headers)
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication-required"


def test_an_invalid_bearer_token_is_401_even_on_public_pages(new_client):
    response = new_client().get("/api/me", headers={"Authorization": "Bearer pivgm_forged"})
    assert response.status_code == 401
    assert new_client().get("/api/me").status_code == 401


def test_the_tokens_page_shows_a_new_token_once(new_client, make_user, platform):
    make_user("ana")
    client = new_client()
    csrf = sign_in(client, "ana")
    created = client.post("/account/tokens", data={"name": "upload", "days": "30", "csrf_token": csrf})
    assert created.headers["cache-control"] == "private, no-store"
    plain = created.text.split('id="new-token">')[1].split("<")[0]
    assert plain.startswith("pivgm_")
    listing = client.get("/account/tokens")
    assert plain not in listing.text and plain[:12] in listing.text
    assert client.get("/api/tokens").json()[0]["name"] == "upload"


def test_pages_for_signed_in_users_send_anonymous_visitors_to_the_login_form(new_client):
    response = new_client().get("/account/tokens?lang=en", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2Faccount%2Ftokens%3Flang%3Den")


def test_a_temporary_password_leads_to_the_password_form_and_nothing_else(new_client, make_user, root, platform):
    make_user("ana", "regional_reviewer")
    temporary = users.reset_password(platform, root, "ana")
    client = new_client()
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "ana", "password": temporary, "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == "/account/password"
    assert client.get("/account/tokens", follow_redirects=False).headers["location"] == "/account/password"
    assert client.get("/api/tokens").status_code == 403
    page = client.get("/account/password")
    assert 'name="current_password"' not in page.text
    data = {"new_password": "a brand new phrase", "repeat_password": "a brand new phrase"}
    changed = client.post("/account/password", data={**data, "csrf_token": form_token(page.text)})
    assert changed.status_code == 200 and client.get("/api/tokens").status_code == 200


def test_signing_in_as_someone_else_replaces_the_session(new_client, make_user):
    make_user("ana")
    make_user("bea")
    client = new_client()
    sign_in(client, "ana")
    sign_in(client, "bea")
    assert client.get("/api/me").json()["username"] == "bea"
