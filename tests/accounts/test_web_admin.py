"""User administration and the audit log in the browser and the API: administrators only, every change
audited, exports safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from pivgm.accounts.audit import audit
from tests.accounts.conftest import form_token, sign_in


@pytest.fixture
def admin(new_client, make_user):
    make_user("root", "administrator")
    client = new_client()
    client.csrf = sign_in(client, "root")
    return client


def test_an_administrator_adds_a_user_who_gets_a_temporary_password_shown_once(admin, new_client):
    page = admin.post(
        "/admin/users?lang=en", data={"username": "Bea", "display_name": "Bea Pérez", "csrf_token": admin.csrf}
    )
    temporary = page.text.split('id="temporary-password">')[1].split("<")[0]
    assert page.headers["cache-control"] == "private, no-store" and "Temporary password for bea" in page.text
    assert temporary not in admin.get("/admin/users").text
    bea = new_client()
    token = form_token(bea.get("/login").text)
    response = bea.post(
        "/login", data={"username": "bea", "password": temporary, "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == "/account/password"


def test_grants_and_revocations_show_on_the_page_and_in_the_api(admin, make_user):
    make_user("bea")
    grant = {"role": "national_submitter", "provider": "GT_IGM", "csrf_token": admin.csrf}
    response = admin.post("/admin/users/bea/grant", data=grant, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/users?done=granted")
    bea = next(u for u in admin.get("/api/users").json() if u["username"] == "bea")
    assert bea["roles"] == [{"role": "national_submitter", "provider": "GT_IGM"}]
    assert "Rol concedido." in admin.get("/admin/users?done=granted").text
    admin.post("/admin/users/bea/revoke", data=grant)
    bea = next(u for u in admin.get("/api/users").json() if u["username"] == "bea")
    assert bea["roles"] == []
    actions = [e["action"] for e in admin.get("/api/audit", params={"target": "user:bea"}).json()["events"]]
    assert actions[:2] == ["grant.revoked", "grant.added"]


@pytest.mark.parametrize(
    ("role", "provider", "status", "says"),
    [
        ("national_submitter", "", 422, "para un proveedor"),  # the page is Spanish by default
        ("national_submitter", "XX_NONE", 404, "Proveedor desconocido"),
        ("regional_reviewer", "GT_IGM", 422, "todos los proveedores"),
        ("emperor", "", 422, "Rol desconocido"),
    ],
)
def test_a_grant_that_makes_no_sense_is_explained_on_the_page(admin, make_user, role, provider, status, says):
    make_user("bea")
    data = {"role": role, "provider": provider, "csrf_token": admin.csrf}
    response = admin.post("/admin/users/bea/grant", data=data)
    assert response.status_code == status and says in response.text


def test_deactivating_a_user_ends_their_sessions(admin, new_client, make_user):
    make_user("bea")
    bea = new_client()
    sign_in(bea, "bea")
    admin.post("/admin/users/bea/active", data={"active": "false", "csrf_token": admin.csrf})
    assert bea.get("/api/me").status_code == 401


def test_only_administrators_see_the_administration(new_client, make_user):
    make_user("gt", ("national_approver", "GT_IGM"))
    client = new_client()
    sign_in(client, "gt")
    for path in ("/admin/users", "/admin/audit", "/api/users", "/api/audit", "/admin/audit.csv"):
        assert client.get(path).status_code == 403, path
    anonymous = new_client()
    assert anonymous.get("/admin/users", follow_redirects=False).status_code == 303
    for path in ("/api/users", "/api/audit", "/admin/audit.csv"):
        assert anonymous.get(path).status_code == 401, path


def test_the_audit_page_filters_and_pages(admin, platform, root, clock):
    for number in range(60):
        clock.advance(seconds=1)
        audit(platform, root, "probe.paged", f"user:user{number:02}", clock=clock)
    page = admin.get("/admin/audit", params={"action": "probe.", "lang": "en"})
    assert page.status_code == 200 and "60 events" in page.text and "Page 1 of 2" in page.text
    assert "user:user59" in page.text and "user:user09" not in page.text
    assert "user:user09" in admin.get("/admin/audit", params={"action": "probe.", "page": 2}).text
    assert admin.get("/admin/audit", params={"from": "yesterday"}).status_code == 422


def test_the_csv_export_neutralises_text_a_spreadsheet_would_run(admin, new_client):
    attacker = new_client()
    for username in ('=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"):
        token = form_token(attacker.get("/login").text)
        attacker.post("/login", data={"username": username, "password": "whatever", "csrf_token": token})
    response = admin.get("/admin/audit.csv", params={"action": "auth.login-failed"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(row["actor"] for row in rows) == [
        "'+1+1",
        "'-2+3",
        '\'=hyperlink("http://evil.example")',
        "'@sum(a1)",
    ]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
